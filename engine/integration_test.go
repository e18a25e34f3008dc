package engine_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/spec"
)

// Integration tests of the engine against the real daemon. Each builds its
// project in Go, runs it with the test image, and removes everything it
// labelled when it ends, pass or fail.

type env struct {
	t       *testing.T
	docker  engine.Docker
	engine  *engine.Engine
	image   string
	project string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	d := testenv.Docker(t)
	image := testenv.TestImage(t)
	project := testenv.Project(t)
	testenv.Cleanup(t, project)
	return &env{t: t, docker: d, engine: engine.New(d, nil, nil), image: image, project: project}
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

// containers returns name -> ID of the project's containers, in any state.
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
	res, err := e.docker.Exec(e.ctx(), e.containers()[name].ID, cmd)
	if err != nil {
		e.t.Fatalf("exec %s %v: %v", name, cmd, err)
	}
	return res
}

func names(m map[string]engine.Container) string {
	var out []string
	for n := range m {
		out = append(out, n)
	}
	return strings.Join(sortStrings(out), " ")
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

func TestChainUpNoopDown(t *testing.T) {
	e := newEnv(t)
	p := e.stack()
	e.service(p, "a")
	dependOn(e.service(p, "b"), "a", spec.ConditionStarted)
	dependOn(e.service(p, "c"), "b", spec.ConditionStarted)

	e.up(p, engine.UpOptions{})
	first := e.containers()
	want := fmt.Sprintf("%[1]s-a-1 %[1]s-b-1 %[1]s-c-1", e.project)
	if got := names(first); got != want {
		t.Fatalf("containers = %s, want %s", got, want)
	}
	for name, c := range first {
		if c.State != "running" {
			t.Errorf("%s is %s, want running", name, c.State)
		}
		for _, l := range []string{engine.LabelProject, engine.LabelService, engine.LabelNumber, engine.LabelConfigHash} {
			if c.Labels[l] == "" {
				t.Errorf("%s has no label %s", name, l)
			}
		}
	}
	// c reaches b by its service name.
	if res := e.exec(e.project+"-c-1", "/testimage", "lookup", "b"); res.ExitCode != 0 {
		t.Errorf("lookup b from c: exit %d: %s", res.ExitCode, res.Output)
	}

	plan := e.up(p, engine.UpOptions{})
	if plan.Changes() {
		t.Errorf("second up changed something: %+v", plan)
	}
	for name, c := range e.containers() {
		if first[name].ID != c.ID {
			t.Errorf("%s was replaced by a no-op up", name)
		}
	}

	if err := e.engine.Down(e.ctx(), e.project, engine.DownOptions{}); err != nil {
		t.Fatal(err)
	}
	if left := e.containers(); len(left) > 0 {
		t.Errorf("containers left after down: %s", names(left))
	}
	nets, err := e.docker.NetworkList(e.ctx(), engine.Labels{engine.LabelProject: e.project})
	if err != nil || len(nets) > 0 {
		t.Errorf("networks left after down: %v %v", nets, err)
	}
}

func TestConditionsHealthyAndCompleted(t *testing.T) {
	e := newEnv(t)
	p := e.stack()
	db := e.service(p, "db", "serve", "--ready-after", "1s")
	withHealthcheck(db)
	migrate := e.service(p, "migrate", "exit", "0")
	dependOn(migrate, "db", spec.ConditionHealthy)
	api := e.service(p, "api")
	dependOn(api, "migrate", spec.ConditionCompleted)
	dependOn(api, "db", spec.ConditionHealthy)

	var mu sync.Mutex
	var order []string
	e.engine = engine.New(e.docker, nil, func(s engine.Status) {
		if s.Phase == engine.PhaseStarting && s.Service != "" {
			mu.Lock()
			order = append(order, s.Service)
			mu.Unlock()
		}
	})
	e.up(p, engine.UpOptions{Wait: true, WaitTimeout: time.Minute})
	if got := strings.Join(order, ","); got != "db,migrate,api" {
		t.Errorf("start order = %s, want db,migrate,api", got)
	}
	cs := e.containers()
	if c := cs[e.project+"-migrate-1"]; c.State != "exited" || !strings.HasPrefix(c.Status, "Exited (0)") {
		t.Errorf("migrate: %s %s, want exited 0", c.State, c.Status)
	}

	// The completed job is not run again by the next up.
	plan := e.up(p, engine.UpOptions{})
	if plan.Changes() {
		var b strings.Builder
		plan.Write(&b)
		t.Errorf("second up has changes:\n%s", b.String())
	}
	if c := e.containers()[e.project+"-migrate-1"]; c.ID != cs[e.project+"-migrate-1"].ID {
		t.Error("completed job was recreated")
	}
}

func TestFailingJobStopsDependents(t *testing.T) {
	e := newEnv(t)
	p := e.stack()
	e.service(p, "migrate", "exit", "3")
	dependOn(e.service(p, "api"), "migrate", spec.ConditionCompleted)
	dependOn(e.service(p, "web"), "api", spec.ConditionStarted)

	_, err := e.engine.Up(e.ctx(), p, engine.UpOptions{})
	if err == nil {
		t.Fatal("up succeeded with a failing job")
	}
	msg := err.Error()
	for _, want := range []string{"service api", "dependency migrate", "did not complete successfully", "exited with code 3", "last log lines", "stderr: exiting with 3"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not mention %q:\n%s", want, msg)
		}
	}
	cs := e.containers()
	if _, ok := cs[e.project+"-api-1"]; ok {
		t.Error("api was created although its dependency failed")
	}
	if _, ok := cs[e.project+"-web-1"]; ok {
		t.Error("web was created although its dependency's dependency failed")
	}
}

func TestHealthTimeout(t *testing.T) {
	e := newEnv(t)
	p := e.stack()
	db := e.service(p, "db", "serve", "--ready-after", "1h")
	withHealthcheck(db)
	db.Healthcheck.Retries = 1
	dependOn(e.service(p, "api"), "db", spec.ConditionHealthy)

	_, err := e.engine.Up(e.ctx(), p, engine.UpOptions{DependencyTimeout: 5 * time.Second})
	if err == nil {
		t.Fatal("up succeeded with a dependency that never gets healthy")
	}
	if msg := err.Error(); !strings.Contains(msg, "dependency db did not become healthy") ||
		!(strings.Contains(msg, "unhealthy") || strings.Contains(msg, "timed out")) {
		t.Errorf("error = %s", msg)
	}
}

func TestRecreateOnlyWhatChanged(t *testing.T) {
	e := newEnv(t)
	p := e.stack()
	e.service(p, "a")
	e.service(p, "b")
	e.up(p, engine.UpOptions{})
	before := e.containers()

	p.Services["b"].Environment = map[string]string{"NAME": "changed"}
	plan := e.up(p, engine.UpOptions{})
	var b strings.Builder
	plan.Write(&b)
	if !strings.Contains(b.String(), "b-1 (recreate): config changed") {
		t.Errorf("plan does not recreate b for its config:\n%s", b.String())
	}
	after := e.containers()
	if after[e.project+"-a-1"].ID != before[e.project+"-a-1"].ID {
		t.Error("a was recreated although unchanged")
	}
	if after[e.project+"-b-1"].ID == before[e.project+"-b-1"].ID {
		t.Error("b was not recreated")
	}
	if len(after) != 2 {
		t.Errorf("containers after recreate: %s", names(after))
	}
}

func TestScaleNumbering(t *testing.T) {
	e := newEnv(t)
	p := e.stack()
	e.service(p, "web")
	e.up(p, engine.UpOptions{Plan: engine.PlanOptions{Scale: map[string]int{"web": 3}}})
	want := func(ns ...int) string {
		var out []string
		for _, n := range ns {
			out = append(out, fmt.Sprintf("%s-web-%d", e.project, n))
		}
		return strings.Join(out, " ")
	}
	if got := names(e.containers()); got != want(1, 2, 3) {
		t.Fatalf("after scale 3: %s", got)
	}
	// Remove replica 2 behind stack's back; scale-up fills the gap first.
	if err := e.docker.ContainerRemove(e.ctx(), e.containers()[e.project+"-web-2"].ID, true); err != nil {
		t.Fatal(err)
	}
	e.up(p, engine.UpOptions{Plan: engine.PlanOptions{Scale: map[string]int{"web": 4}}})
	if got := names(e.containers()); got != want(1, 2, 3, 4) {
		t.Fatalf("after scale 4: %s", got)
	}
	e.up(p, engine.UpOptions{Plan: engine.PlanOptions{Scale: map[string]int{"web": 2}}})
	if got := names(e.containers()); got != want(1, 2) {
		t.Fatalf("after scale 2: %s", got)
	}
}

func TestRollingRecreateKeepsServing(t *testing.T) {
	e := newEnv(t)
	p := e.stack()
	web := e.service(p, "web", "serve", "--ready-after", "500ms")
	withHealthcheck(web)
	web.Replicas = 2
	probe := e.service(p, "probe", "sleep", "1h")
	_ = probe
	e.up(p, engine.UpOptions{Wait: true, WaitTimeout: time.Minute})

	// While web rolls, the probe keeps asking web by its service name.
	stop := make(chan struct{})
	var failures, successes int
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			res, err := e.docker.Exec(context.Background(), e.containers()[e.project+"-probe-1"].ID,
				[]string{"/testimage", "get", "http://web:8080/healthz"})
			if err == nil && res.ExitCode == 0 {
				successes++
			} else {
				failures++
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	web.Environment = map[string]string{"NAME": "v2"}
	before := e.containers()
	e.up(p, engine.UpOptions{})
	close(stop)
	<-done
	after := e.containers()
	for _, n := range []string{"-web-1", "-web-2"} {
		if after[e.project+n].ID == before[e.project+n].ID {
			t.Errorf("web%s was not recreated", n)
		}
	}
	if len(after) != 3 {
		t.Errorf("containers after rolling recreate: %s", names(after))
	}
	if successes == 0 {
		t.Fatal("the probe never reached web")
	}
	// DNS may briefly answer with a container that is shutting down; the
	// service as a whole must stay reachable.
	if failures > successes/4 {
		t.Errorf("web went dark during the roll: %d failures, %d successes", failures, successes)
	}
}

func TestConcurrentUpCreatesNoDuplicates(t *testing.T) {
	e := newEnv(t)
	p := e.stack()
	for _, n := range []string{"a", "b", "c"} {
		e.service(p, n)
	}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = e.engine.Up(e.ctx(), p, engine.UpOptions{})
		}(i)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if got := e.containers(); len(got) != 3 {
		t.Errorf("containers after 3 concurrent ups: %s", names(got))
	}
}

func TestVolumeSurvivesRecreateAndDown(t *testing.T) {
	e := newEnv(t)
	p := e.stack()
	p.Volumes["data"] = &spec.Volume{Key: "data", Name: e.project + "_data", Labels: map[string]string{testenv.LabelTest: "1"}}
	s := e.service(p, "app")
	s.Volumes = []spec.Mount{{Type: spec.MountVolume, Source: "data", Target: "/data"}}
	e.up(p, engine.UpOptions{})
	if res := e.exec(e.project+"-app-1", "/testimage", "write", "/data/x", "kept"); res.ExitCode != 0 {
		t.Fatalf("write: %s", res.Output)
	}
	s.Environment = map[string]string{"NAME": "v2"}
	e.up(p, engine.UpOptions{})
	if res := e.exec(e.project+"-app-1", "/testimage", "cat", "/data/x"); !strings.Contains(res.Output, "kept") {
		t.Fatalf("after recreate: %q", res.Output)
	}
	if err := e.engine.Down(e.ctx(), e.project, engine.DownOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.docker.VolumeInspect(e.ctx(), e.project+"_data"); err != nil {
		t.Fatalf("volume gone after down without -v: %v", err)
	}
	e.up(p, engine.UpOptions{})
	if res := e.exec(e.project+"-app-1", "/testimage", "cat", "/data/x"); !strings.Contains(res.Output, "kept") {
		t.Fatalf("after down and up: %q", res.Output)
	}
	if err := e.engine.Down(e.ctx(), e.project, engine.DownOptions{Volumes: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.docker.VolumeInspect(e.ctx(), e.project+"_data"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("volume after down -v: %v, want not found", err)
	}
}

func TestPublishedPort(t *testing.T) {
	e := newEnv(t)
	p := e.stack()
	s := e.service(p, "web")
	s.Ports = []spec.Port{{HostIP: "127.0.0.1", ContainerPort: 8080}}
	withHealthcheck(s)
	e.up(p, engine.UpOptions{Wait: true, WaitTimeout: time.Minute})
	rows, err := e.engine.Ps(e.ctx(), e.project, engine.PsOptions{})
	if err != nil || len(rows) != 1 || len(rows[0].Ports) != 1 {
		t.Fatalf("ps: %+v %v", rows, err)
	}
	hostPort := strings.TrimPrefix(strings.Split(rows[0].Ports[0], "->")[0], "127.0.0.1:")
	resp, err := http.Get("http://127.0.0.1:" + hostPort + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "") {
		t.Errorf("GET /: %d %s", resp.StatusCode, body)
	}
}
