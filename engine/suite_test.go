package engine_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/spec"
)

// The engine suite: one set of test bodies, run against every
// implementation of engine.Docker (restic-style). Each body gets an env: a
// Docker, the test image and a project of its own. On the in-memory fake the
// test image's commands are emulated (see suite_fake_test.go), so a body
// cannot tell which world it runs in unless it asks (env.world.real).

// world is one implementation of engine.Docker the suite runs against.
type world struct {
	name string
	// real is the real daemon: processes run, DNS and published ports work.
	real bool
	// open returns a Docker holding the test image, and registers the
	// removal of everything labelled with project when the test ends.
	open func(t *testing.T, project string) (engine.Docker, string)
}

var worlds = []world{
	{name: "fake", open: openFake},
	{name: "real", real: true, open: openReal},
}

func openReal(t *testing.T, project string) (engine.Docker, string) {
	t.Helper()
	d := testenv.Docker(t)
	image := testenv.TestImage(t)
	testenv.Cleanup(t, project)
	return d, image
}

func openFake(t *testing.T, project string) (engine.Docker, string) {
	f := dockerfake.New()
	f.AddImage(engine.Image{ID: "sha256:" + strings.Repeat("5e", 32), RepoTags: []string{testenv.TestImageRef}})
	emulateTestImage(f)
	return f, testenv.TestImageRef
}

// env is what one test body works with.
type env struct {
	t       *testing.T
	world   world
	docker  engine.Docker
	engine  *engine.Engine
	image   string
	project string
}

// eachWorld runs body once per world, as parallel subtests named for the
// world; the test itself runs in parallel with other suite tests, since
// every env has its own project.
func eachWorld(t *testing.T, body func(t *testing.T, e *env)) {
	t.Helper()
	t.Parallel()
	for _, w := range worlds {
		t.Run(w.name, func(t *testing.T) {
			t.Parallel()
			body(t, newEnv(t, w))
		})
	}
}

// realOnly runs body against the real daemon alone: for tests of what the
// fake cannot have (DNS through a real network, ports on the host).
func realOnly(t *testing.T, body func(t *testing.T, e *env)) {
	t.Helper()
	t.Parallel()
	w := worlds[slices.IndexFunc(worlds, func(w world) bool { return w.real })]
	t.Run(w.name, func(t *testing.T) { body(t, newEnv(t, w)) })
}

// fakeOnly runs body against the fake alone: for assertions on the calls
// the engine makes (Fake.Calls).
func fakeOnly(t *testing.T, body func(t *testing.T, e *env, f *dockerfake.Fake)) {
	t.Helper()
	t.Parallel()
	w := worlds[slices.IndexFunc(worlds, func(w world) bool { return !w.real })]
	t.Run(w.name, func(t *testing.T) {
		e := newEnv(t, w)
		body(t, e, e.docker.(*dockerfake.Fake))
	})
}

func newEnv(t *testing.T, w world) *env {
	t.Helper()
	project := testenv.Project(t)
	d, image := w.open(t, project)
	return &env{t: t, world: w, docker: d, engine: engine.New(d, nil, nil), image: image, project: project}
}

// stack returns an empty project of this test.
func (e *env) stack() *spec.Project {
	return &spec.Project{
		Name:     e.project,
		Services: map[string]*spec.Service{},
		Networks: map[string]*spec.Network{"default": {Key: "default", Name: e.project + "_default", Labels: map[string]string{testenv.LabelTest: "1"}}},
		Volumes:  map[string]*spec.Volume{},
	}
}

// service adds a service running the test image with args.
func (e *env) service(p *spec.Project, name string, args ...string) *spec.Service {
	s := &spec.Service{
		Name: name, Image: e.image, Command: args, Replicas: 1,
		DependsOn: map[string]spec.Dependency{},
		Labels:    map[string]string{testenv.LabelTest: "1"},
	}
	grace := 2 * time.Second
	s.StopGracePeriod = &grace
	p.Services[name] = s
	return s
}

func dependOn(s *spec.Service, dep, condition string) {
	s.DependsOn[dep] = spec.Dependency{Condition: condition, Required: true}
}

func withHealthcheck(s *spec.Service) {
	s.Healthcheck = &spec.Healthcheck{
		Test:     []string{"CMD", "/testimage", "health"},
		Interval: 500 * time.Millisecond, Timeout: 2 * time.Second, Retries: 3,
	}
}

func (e *env) up(p *spec.Project, opts engine.UpOptions) *engine.Plan {
	e.t.Helper()
	plan, err := e.engine.Up(e.ctx(), p, opts)
	if err != nil {
		e.t.Fatalf("up: %v", err)
	}
	return plan
}

func (e *env) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	e.t.Cleanup(cancel)
	return ctx
}

// containers returns the project's containers in any state, by name.
func (e *env) containers() map[string]engine.Container {
	e.t.Helper()
	list, err := e.docker.ContainerList(e.ctx(), engine.Labels{engine.LabelProject: e.project})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]engine.Container{}
	for _, c := range list {
		out[c.Name] = c
	}
	return out
}

func (e *env) exec(name string, cmd ...string) engine.ExecResult {
	e.t.Helper()
	c, ok := e.containers()[name]
	if !ok {
		e.t.Fatalf("exec %s %v: no such container", name, cmd)
	}
	res, err := e.docker.Exec(e.ctx(), c.ID, cmd)
	if err != nil {
		e.t.Fatalf("exec %s %v: %v", name, cmd, err)
	}
	return res
}

// names returns the sorted names of containers, space-separated.
func names(m map[string]engine.Container) string {
	var out []string
	for n := range m {
		out = append(out, n)
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// replicaNames returns "<project>-<service>-<n>" for each n, space-separated.
func (e *env) replicaNames(service string, numbers ...int) string {
	var out []string
	for _, n := range numbers {
		out = append(out, e.project+"-"+service+"-"+strconv.Itoa(n))
	}
	return strings.Join(out, " ")
}
