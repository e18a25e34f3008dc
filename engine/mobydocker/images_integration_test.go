package mobydocker_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/mobydocker"
	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/spec"
)

// These tests build, push and pull real images against the local engine and
// a registry started by the test. Images are FROM scratch around
// testdata/imageapp, compiled here: nothing is pulled from the internet.

const imageDockerfile = `FROM scratch AS base
ARG GREETING=none
COPY . /ctx/
LABEL stage=base greeting=$GREETING
RUN ["/ctx/app", "check", "+/ctx/app", "+/ctx/keep.txt", "+/ctx/Dockerfile", "-/ctx/secret.txt", "-/ctx/logs/debug.log"]

FROM base AS final
LABEL stage=final
`

// imageEnv is one test's engine, project name and recorded progress.
type imageEnv struct {
	t       *testing.T
	docker  *mobydocker.Client
	engine  *engine.Engine
	project string

	mu       sync.Mutex
	statuses []engine.Status
	seen     []string // image IDs EnsureImages returned
}

func newImageEnv(t *testing.T) *imageEnv {
	t.Helper()
	docker, err := mobydocker.New(zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := docker.ImageInspect(ctx, "stack-test-probe-"+randomHex(t)); !errors.Is(err, engine.ErrNotFound) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("docker engine unavailable and CI=true: %v", err)
		}
		t.Skipf("docker engine unavailable: %v", err)
	}
	env := &imageEnv{t: t, docker: docker, project: "stackimg" + randomHex(t)}
	env.engine = engine.New(docker, zaptest.NewLogger(t), func(s engine.Status) {
		env.mu.Lock()
		defer env.mu.Unlock()
		env.statuses = append(env.statuses, s)
	})
	return env
}

func randomHex(t *testing.T) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// takeStatuses returns the statuses reported since the last call.
func (env *imageEnv) takeStatuses() []engine.Status {
	env.mu.Lock()
	defer env.mu.Unlock()
	s := env.statuses
	env.statuses = nil
	return s
}

// phases counts the statuses of each phase.
func phases(statuses []engine.Status) map[string]int {
	n := map[string]int{}
	for _, s := range statuses {
		n[s.Phase]++
	}
	return n
}

// removeImages removes, at the end of the test, refs and then image IDs
// (older builds the tags moved away from).
func (env *imageEnv) removeImages(refs ...string) {
	env.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		ids := map[string]bool{}
		for _, ref := range refs {
			if img, err := env.docker.ImageInspect(ctx, ref); err == nil {
				ids[img.ID] = true
			}
			if err := env.docker.ImageRemove(ctx, ref); err != nil && !errors.Is(err, engine.ErrNotFound) {
				env.t.Errorf("cleanup: %v", err)
			}
		}
		for _, id := range env.builtIDs() {
			ids[id] = true
		}
		for id := range ids {
			if err := env.docker.ImageRemove(ctx, id); err != nil && !errors.Is(err, engine.ErrNotFound) {
				env.t.Errorf("cleanup: %v", err)
			}
		}
	})
}

// builtIDs are the IDs of every image the test saw built.
func (env *imageEnv) builtIDs() []string {
	env.mu.Lock()
	defer env.mu.Unlock()
	return append([]string(nil), env.seen...)
}

// buildContext writes a build context: the compiled imageapp, the
// Dockerfile, files to keep and files .dockerignore leaves out.
func buildContext(t *testing.T, dockerfile string) string {
	t.Helper()
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "app"), "./testdata/imageapp")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build imageapp: %v\n%s", err, out)
	}
	files := map[string]string{
		"Dockerfile":     dockerfile,
		".dockerignore":  "secret.txt\nlogs\n",
		"keep.txt":       "kept\n",
		"secret.txt":     "must not reach the image\n",
		"logs/debug.log": "noise\n",
	}
	for name, content := range files {
		writeFile(t, filepath.Join(dir, name), content)
	}
	return dir
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// project returns a project of the given services, labelled so anything
// left behind is found and removed as test debris.
func (env *imageEnv) projectOf(services ...*spec.Service) *spec.Project {
	p := &spec.Project{Name: env.project, WorkingDir: env.t.TempDir(), Services: map[string]*spec.Service{}}
	for _, s := range services {
		if s.Build != nil {
			if s.Build.Labels == nil {
				s.Build.Labels = map[string]string{}
			}
			s.Build.Labels[engine.LabelProject] = env.project
			s.Build.Labels["dev.stack.test"] = "1"
		}
		p.Services[s.Name] = s
		refs := []string{engine.ImageName(p, s)}
		if s.Build != nil {
			refs = append(refs, s.Build.Tags...)
		}
		env.removeImages(refs...)
	}
	return p
}

func (env *imageEnv) ensure(p *spec.Project, opts engine.ImageOptions) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ids, err := env.engine.EnsureImages(ctx, p, nil, opts)
	env.mu.Lock()
	for _, id := range ids {
		env.seen = append(env.seen, id)
	}
	env.mu.Unlock()
	return ids, err
}

func TestBuildHonoursDockerignoreArgsAndTarget(t *testing.T) {
	env := newImageEnv(t)
	dir := buildContext(t, imageDockerfile)
	p := env.projectOf(
		&spec.Service{Name: "base", Build: &spec.Build{Context: dir, Target: "base", Args: map[string]string{"GREETING": "hello"}}},
		&spec.Service{Name: "final", Build: &spec.Build{Context: dir}},
	)
	// The RUN step fails the build if secret.txt or logs/ reached the context.
	ids, err := env.ensure(p, engine.ImageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ids["base"] == "" || ids["final"] == "" || ids["base"] == ids["final"] {
		t.Fatalf("image IDs %v: want two different images", ids)
	}
	tests := []struct {
		service  string
		stage    string
		greeting string
	}{
		{"base", "base", "hello"},
		{"final", "final", "none"},
	}
	for _, tt := range tests {
		img, err := env.docker.ImageInspect(context.Background(), engine.ImageName(p, p.Services[tt.service]))
		if err != nil {
			t.Fatal(err)
		}
		if img.ID != ids[tt.service] || img.Labels["stage"] != tt.stage || img.Labels["greeting"] != tt.greeting || img.Labels[engine.LabelBuildHash] == "" {
			t.Errorf("service %s: image %s labels %v; want ID %s, stage=%s greeting=%s and a build hash",
				tt.service, img.ID, img.Labels, ids[tt.service], tt.stage, tt.greeting)
		}
	}
}

func TestEnsureImagesSkipsUnchangedBuilds(t *testing.T) {
	env := newImageEnv(t)
	dir := buildContext(t, imageDockerfile)
	p := env.projectOf(&spec.Service{Name: "web", Build: &spec.Build{Context: dir}})

	first, err := env.ensure(p, engine.ImageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := phases(env.takeStatuses()); n[engine.PhaseBuilt] != 1 {
		t.Fatalf("first EnsureImages: phases %v, want one build", n)
	}

	steps := []struct {
		name    string
		change  func()
		opts    engine.ImageOptions
		rebuild bool
	}{
		{"unchanged", func() {}, engine.ImageOptions{}, false},
		{"ignored file changed", func() { writeFile(t, filepath.Join(dir, "secret.txt"), "other secret\n") }, engine.ImageOptions{}, false},
		{"source changed", func() { writeFile(t, filepath.Join(dir, "keep.txt"), "changed\n") }, engine.ImageOptions{}, true},
		{"forced", func() {}, engine.ImageOptions{Build: true}, true},
	}
	last := first["web"]
	for _, step := range steps {
		step.change()
		ids, err := env.ensure(p, step.opts)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		n := phases(env.takeStatuses())
		rebuilt := n[engine.PhaseBuilding] > 0
		if rebuilt != step.rebuild || (n[engine.PhaseUpToDate] == 1) == step.rebuild {
			t.Errorf("%s: phases %v; want rebuild=%v", step.name, n, step.rebuild)
		}
		if changed := ids["web"] != last; changed != step.rebuild && step.name != "forced" {
			t.Errorf("%s: image %s after %s; want a new image: %v", step.name, ids["web"], last, step.rebuild)
		}
		last = ids["web"]
	}
}

func TestBuildSharedByServicesRunsOnce(t *testing.T) {
	env := newImageEnv(t)
	dir := buildContext(t, imageDockerfile)
	p := env.projectOf(
		&spec.Service{Name: "api", Build: &spec.Build{Context: dir}},
		&spec.Service{Name: "worker", Build: &spec.Build{Context: dir}},
	)
	ids, err := env.ensure(p, engine.ImageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := phases(env.takeStatuses()); n[engine.PhaseBuilt] != 1 || ids["api"] != ids["worker"] {
		t.Fatalf("phases %v, ids %v: want one build for both services", n, ids)
	}
}

func TestBuildFailureNamesServiceStepAndOutput(t *testing.T) {
	env := newImageEnv(t)
	dir := buildContext(t, "FROM scratch\nCOPY app /app\nRUN [\"/app\", \"fail\", \"12\"]\n")
	p := env.projectOf(&spec.Service{Name: "broken", Build: &spec.Build{Context: dir, NoCache: true}})
	_, err := env.ensure(p, engine.ImageOptions{})
	var be *engine.BuildError
	if !errors.As(err, &be) {
		t.Fatalf("got %v; want a build error", err)
	}
	for _, want := range []string{"service broken", `RUN ["/app", "fail", "12"]`, "output line 12", "exit code: 3"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestPushThenPullBack(t *testing.T) {
	env := newImageEnv(t)
	registry := testenv.StartRegistry(t)
	ref := registry + "/" + env.project + "/app:1"
	extra := registry + "/" + env.project + "/app:latest"
	dir := buildContext(t, imageDockerfile)
	producer := env.projectOf(&spec.Service{Name: "app", Image: ref, Build: &spec.Build{Context: dir, Tags: []string{extra}}})
	built, err := env.ensure(producer, engine.ImageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	env.takeStatuses()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := env.engine.Push(ctx, producer, nil); err != nil {
		t.Fatal(err)
	}
	if n := phases(env.takeStatuses()); n[engine.PhasePushed] != 2 {
		t.Fatalf("push phases %v: want the image and its extra tag pushed", n)
	}
	for _, r := range []string{ref, extra} {
		if err := env.docker.ImageRemove(ctx, r); err != nil {
			t.Fatal(err)
		}
	}

	// Each name pulls back the image that was built.
	consumer := env.projectOf(
		&spec.Service{Name: "client", Image: ref},
		&spec.Service{Name: "latest", Image: extra},
	)
	pulled, err := env.ensure(consumer, engine.ImageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pulled["client"] != built["app"] || pulled["latest"] != built["app"] {
		t.Errorf("pulled images %s and %s, pushed %s: want the same image back under both names", pulled["client"], pulled["latest"], built["app"])
	}
}

func TestPullReportsLayerProgress(t *testing.T) {
	env := newImageEnv(t)
	registry := testenv.StartRegistry(t)
	ref := testenv.PushRandomImage(t, registry, env.project+"/random", "1", 4<<20)
	p := env.projectOf(&spec.Service{Name: "random", Image: ref, PullPolicy: "always"})
	if _, err := env.ensure(p, engine.ImageOptions{}); err != nil {
		t.Fatal(err)
	}
	var last engine.Status
	for _, s := range env.takeStatuses() {
		if s.Phase == engine.PhasePulling && s.Total > 0 {
			last = s
		}
	}
	if last.Total < 4<<20 || last.Current != last.Total {
		t.Errorf("last pull progress %d/%d: want all of a layer of at least %d bytes", last.Current, last.Total, 4<<20)
	}
}

func TestImageErrorsNameServiceAndImage(t *testing.T) {
	env := newImageEnv(t)
	registry := testenv.StartRegistry(t)
	tests := []struct {
		name    string
		service *spec.Service
		want    []string
	}{
		{"never and missing locally",
			&spec.Service{Name: "db", Image: registry + "/" + env.project + "/db:1", PullPolicy: "never"},
			[]string{"service db", registry + "/" + env.project + "/db:1", "pull_policy is never"}},
		{"not in the registry",
			&spec.Service{Name: "cache", Image: registry + "/" + env.project + "/cache:1"},
			[]string{"service cache", registry + "/" + env.project + "/cache:1", "not found"}},
		{"registry unreachable",
			&spec.Service{Name: "queue", Image: "127.0.0.1:1/" + env.project + "/queue:1", PullPolicy: "always"},
			[]string{"service queue", "127.0.0.1:1/" + env.project + "/queue:1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := env.ensure(env.projectOf(tt.service), engine.ImageOptions{})
			if err == nil {
				t.Fatal("EnsureImages succeeded; want an error")
			}
			t.Logf("error: %v", err)
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

// TestEnsureImagesTiming logs how long EnsureImages takes for five built
// services, first and unchanged, for the lead's notes.
func TestEnsureImagesTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("timing only")
	}
	env := newImageEnv(t)
	dir := buildContext(t, imageDockerfile)
	var services []*spec.Service
	for _, name := range []string{"s1", "s2", "s3", "s4", "s5"} {
		services = append(services, &spec.Service{Name: name, Build: &spec.Build{Context: dir, Args: map[string]string{"GREETING": name}}})
	}
	p := env.projectOf(services...)
	start := time.Now()
	if _, err := env.ensure(p, engine.ImageOptions{}); err != nil {
		t.Fatal(err)
	}
	first := time.Since(start)
	start = time.Now()
	if _, err := env.ensure(p, engine.ImageOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("EnsureImages, 5 built services: first %v, unchanged %v", first.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if n := phases(env.takeStatuses()); n[engine.PhaseBuilt] != 5 || n[engine.PhaseUpToDate] != 5 {
		t.Errorf("phases %v: want 5 builds then 5 up to date", n)
	}
}
