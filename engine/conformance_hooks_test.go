package engine_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/spec"
)

// Lifecycle hooks: post_start and pre_stop execs, pre_start containers.

// hookLog collects the progress lines of hooks, per container.
type hookLog struct {
	mu    sync.Mutex
	lines []string
}

func (h *hookLog) report(s engine.Status) {
	switch s.Phase {
	case engine.PhasePostStart, engine.PhasePreStop, engine.PhasePreStart, engine.PhaseError:
		h.mu.Lock()
		h.lines = append(h.lines, s.Object+" "+s.Phase+" "+s.Detail)
		h.mu.Unlock()
	}
}

func (h *hookLog) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(h.lines, "\n")
}

// withData gives s the project's volume "data" at /data.
func (e *env) withData(p *spec.Project, s *spec.Service) {
	if p.Volumes["data"] == nil {
		p.Volumes["data"] = &spec.Volume{Key: "data", Name: e.project + "_data", Labels: map[string]string{testenv.LabelTest: "1"}}
	}
	s.Volumes = append(s.Volumes, spec.Mount{Type: spec.MountVolume, Source: "data", Target: "/data"})
}

func (e *env) cat(container, path string) string {
	e.t.Helper()
	res := e.exec(container, "/testimage", "cat", path)
	if res.ExitCode != 0 {
		return ""
	}
	return strings.TrimSpace(res.Output)
}

func TestPostStartAndPreStopHooks(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		log := &hookLog{}
		e.engine = engine.New(e.docker, nil, log.report)
		p := e.stack()
		s := e.service(p, "web")
		e.withData(p, s)
		s.PostStart = []spec.Hook{
			{Command: []string{"/testimage", "write", "/data/started", "yes"}},
			{Command: []string{"/testimage", "exit", "0"}},
		}
		s.PreStop = []spec.Hook{{Command: []string{"/testimage", "write", "/data/stopped", "yes"}}}
		e.up(p, engine.UpOptions{})
		web := e.project + "-web-1"
		if got := e.cat(web, "/data/started"); got != "yes" {
			t.Fatalf("post_start did not run: /data/started = %q", got)
		}
		if !strings.Contains(log.String(), web+" post_start stdout: exiting with 0") {
			t.Errorf("hook output not reported per container:\n%s", log)
		}
		if err := e.engine.Stop(e.ctx(), e.project, engine.StopOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := e.engine.Start(e.ctx(), e.project, nil); err != nil {
			t.Fatal(err)
		}
		if got := e.cat(web, "/data/stopped"); got != "yes" {
			t.Fatalf("pre_stop did not run on stop: /data/stopped = %q", got)
		}

		// A changed hook recreates, as Compose's service hash holds hooks.
		before := e.containers()[web].ID
		s.PostStart = s.PostStart[:1]
		plan := e.up(p, engine.UpOptions{})
		var b strings.Builder
		plan.Write(&b)
		if after := e.containers()[web].ID; after == before {
			t.Errorf("changed post_start did not recreate:\n%s", b.String())
		}
		// down runs pre_stop from the container's labels alone.
		e.exec(web, "/testimage", "write", "/data/stopped", "no")
		if err := e.engine.Down(e.ctx(), e.project, engine.DownOptions{}); err != nil {
			t.Fatal(err)
		}
		check := e.service(p, "check")
		e.withData(p, check)
		delete(p.Services, "web")
		e.up(p, engine.UpOptions{Plan: engine.PlanOptions{Services: []string{"check"}}})
		if got := e.cat(e.project+"-check-1", "/data/stopped"); got != "yes" {
			t.Errorf("pre_stop did not run on down: /data/stopped = %q", got)
		}
	})
}

func TestFailingPostStartHook(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		log := &hookLog{}
		e.engine = engine.New(e.docker, nil, log.report)
		p := e.stack()
		db := e.service(p, "db")
		db.PostStart = []spec.Hook{{Command: []string{"/testimage", "exit", "3"}}}
		api := e.service(p, "api")
		dependOn(api, "db", spec.ConditionStarted)
		_, err := e.engine.Up(e.ctx(), p, engine.UpOptions{})
		if err == nil {
			t.Fatal("up succeeded with a failing post_start hook")
		}
		dbName := e.project + "-db-1"
		for _, want := range []string{dbName + ": post_start[0] hook exited with status 3", "exiting with 3"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
		if !strings.Contains(log.String(), dbName+" error") {
			t.Errorf("failure not reported on the container's row:\n%s", log)
		}
		cs := e.containers()
		if c := cs[dbName]; c.State != "running" {
			t.Errorf("db after failed hook: %s, want running (Compose leaves it started)", c.State)
		}
		if c, ok := cs[e.project+"-api-1"]; ok && c.State == "running" {
			t.Errorf("api started although its dependency's hook failed")
		}
	})
}

func TestFailingPreStopHookKeepsContainer(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		p := e.stack()
		s := e.service(p, "web")
		s.PreStop = []spec.Hook{{Command: []string{"/testimage", "exit", "5"}}}
		e.up(p, engine.UpOptions{})
		err := e.engine.Stop(e.ctx(), e.project, engine.StopOptions{})
		if err == nil || !strings.Contains(err.Error(), "pre_stop[0] hook exited with status 5") {
			t.Fatalf("stop: %v, want the pre_stop failure", err)
		}
		if c := e.containers()[e.project+"-web-1"]; c.State != "running" {
			t.Errorf("web after failed pre_stop: %s, want running (as Compose)", c.State)
		}
		// kill runs no hooks.
		if err := e.engine.Stop(e.ctx(), e.project, engine.StopOptions{Kill: true}); err != nil {
			t.Fatalf("kill: %v", err)
		}
	})
}

func TestPreStartHook(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		log := &hookLog{}
		e.engine = engine.New(e.docker, nil, log.report)
		p := e.stack()
		s := e.service(p, "app")
		e.withData(p, s)
		s.Replicas = 2
		s.Environment = map[string]string{"FROM": "service"}
		s.PreStart = []spec.PreStartHook{{Hook: spec.Hook{Command: []string{"exit", "4"}}}}
		_, err := e.engine.Up(e.ctx(), p, engine.UpOptions{})
		if err == nil || !strings.Contains(err.Error(), `service "app" pre_start[0]: exited with code 4`) {
			t.Fatalf("up: %v, want the pre_start failure", err)
		}
		hook := e.project + "-app-pre_start-0"
		cs := e.containers()
		if _, ok := cs[hook]; !ok {
			t.Errorf("failed hook container not kept: %s", names(cs))
		}
		for _, n := range []string{"1", "2"} {
			if c, ok := cs[e.project+"-app-"+n]; ok && c.State == "running" {
				t.Errorf("app-%s started although pre_start failed", n)
			}
		}
		if !strings.Contains(log.String(), hook+" pre_start stderr: exiting with 4") &&
			!strings.Contains(log.String(), hook+" pre_start stdout: exiting with 4") {
			t.Errorf("hook output not reported:\n%s", log)
		}

		s.PreStart = []spec.PreStartHook{{Hook: spec.Hook{Command: []string{"write", "/data/init", "done"}}}}
		e.up(p, engine.UpOptions{})
		cs = e.containers()
		if _, ok := cs[hook]; ok {
			t.Errorf("hook container left after a successful run: %s", names(cs))
		}
		if got := e.cat(e.project+"-app-2", "/data/init"); got != "done" {
			t.Errorf("pre_start did not prepare the volume: %q", got)
		}
		// Running replicas: a scale-up does not run pre_start again.
		e.exec(e.project+"-app-1", "/testimage", "write", "/data/init", "again?")
		e.up(p, engine.UpOptions{Plan: engine.PlanOptions{Scale: map[string]int{"app": 3}}})
		if got := e.cat(e.project+"-app-3", "/data/init"); got != "again?" {
			t.Errorf("pre_start ran again on scale-up: %q", got)
		}
		// A changed pre_start recreates the replicas and runs again.
		s.PreStart = []spec.PreStartHook{{Hook: spec.Hook{Command: []string{"write", "/data/init", "v2"}}}}
		e.up(p, engine.UpOptions{Plan: engine.PlanOptions{Scale: map[string]int{"app": 3}}})
		if got := e.cat(e.project+"-app-1", "/data/init"); got != "v2" {
			t.Errorf("changed pre_start did not run: %q", got)
		}
	})
}

func TestHookExecSettings(t *testing.T) {
	fakeOnly(t, func(t *testing.T, e *env, f *dockerfake.Fake) {
		p := e.stack()
		s := e.service(p, "web")
		s.PostStart = []spec.Hook{{
			Command: []string{"/testimage", "exit", "0"}, User: "1000", Privileged: true,
			WorkingDir: "/tmp", Environment: map[string]string{"STAGE": "post"},
		}}
		e.up(p, engine.UpOptions{})
		execs := f.Execs()
		if len(execs) != 1 {
			t.Fatalf("execs: %+v", execs)
		}
		x := execs[0]
		if x.User != "1000" || !x.Privileged || x.WorkingDir != "/tmp" || strings.Join(x.Env, " ") != "STAGE=post" || x.Tty {
			t.Errorf("hook exec: %+v", x)
		}
	})
}

// A one-off (`stack run`) runs the service's post_start hooks too, as
// `docker compose run` does.
func TestRunRunsPostStart(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		p := e.stack()
		s := e.service(p, "tool")
		e.withData(p, s)
		s.PostStart = []spec.Hook{{Command: []string{"/testimage", "write", "/data/hooked", "yes"}}}
		check := e.service(p, "check")
		e.withData(p, check)
		e.up(p, engine.UpOptions{Plan: engine.PlanOptions{Services: []string{"check"}}})
		res, err := e.engine.Run(e.ctx(), p, engine.RunOptions{Service: "tool", NoDeps: true, Detach: true, Remove: true, Cmd: []string{"sleep", "30s"}})
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		if got := e.cat(e.project+"-check-1", "/data/hooked"); got != "yes" {
			t.Errorf("post_start of the one-off %s did not run: %q", res.Name, got)
		}
	})
}

func TestPreStartImageIsPulled(t *testing.T) {
	fakeOnly(t, func(t *testing.T, e *env, f *dockerfake.Fake) {
		f.Registry = map[string]engine.Image{"migrate:1": {ID: "sha256:" + strings.Repeat("ab", 32), RepoTags: []string{"migrate:1"}}}
		p := e.stack()
		s := e.service(p, "app")
		s.PreStart = []spec.PreStartHook{{Image: "migrate:1", Hook: spec.Hook{Command: []string{"exit", "0"}}}}
		e.up(p, engine.UpOptions{})
		if f.Calls("ImagePull") != 1 {
			t.Errorf("%d pulls, want the hook image pulled once", f.Calls("ImagePull"))
		}
		if c := e.containers()[e.project+"-app-1"]; c.State != "running" {
			t.Errorf("app: %s", c.State)
		}
	})
}

func TestPreStartContainerSpec(t *testing.T) {
	fakeOnly(t, func(t *testing.T, e *env, f *dockerfake.Fake) {
		p := e.stack()
		s := e.service(p, "app")
		e.withData(p, s)
		s.Volumes = append(s.Volumes, spec.Mount{Type: spec.MountVolume, Target: "/anon"})
		s.Environment = map[string]string{"A": "service", "B": "service"}
		s.UnsetEnv = []string{"GONE", "SETBYHOOK"}
		s.PreStart = []spec.PreStartHook{{Hook: spec.Hook{
			Command: []string{"exit", "1"}, User: "0", WorkingDir: "/w", Privileged: true,
			Environment: map[string]string{"B": "hook", "SETBYHOOK": "x"},
		}}}
		// A failing hook's container is kept: its spec can be read.
		if _, err := e.engine.Up(e.ctx(), p, engine.UpOptions{}); err == nil {
			t.Fatal("up succeeded with a failing pre_start")
		}
		kept, ok := e.containers()[e.project+"-app-pre_start-0"]
		if !ok {
			t.Fatalf("no hook container: %s", names(e.containers()))
		}
		fc, err := f.Container(kept.ID)
		if err != nil {
			t.Fatal(err)
		}
		hook := fc.Spec
		want := []string{"A=service", "B=hook", "SETBYHOOK=x", "GONE"}
		if strings.Join(hook.Env, " ") != strings.Join(want, " ") {
			t.Errorf("hook env %v, want %v", hook.Env, want)
		}
		if hook.Image != e.image || strings.Join(hook.Cmd, " ") != "exit 1" || hook.User != "0" || hook.WorkingDir != "/w" || !hook.Privileged {
			t.Errorf("hook spec: %+v", hook)
		}
		if len(hook.Mounts) != 1 || hook.Mounts[0].Source != e.project+"_data" {
			t.Errorf("hook mounts %+v, want the named volume only", hook.Mounts)
		}
		if len(hook.Networks) != 1 || hook.Networks[0].Network != e.project+"_default" || len(hook.Networks[0].Aliases) != 0 {
			t.Errorf("hook networks %+v", hook.Networks)
		}
		// down removes the kept hook container.
		if err := e.engine.Down(e.ctx(), e.project, engine.DownOptions{}); err != nil {
			t.Fatal(err)
		}
		if left := e.containers(); len(left) != 0 {
			t.Errorf("after down: %s", names(left))
		}
	})
}
