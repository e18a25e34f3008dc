package devloop_test

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stack-dev/stack/devloop"
	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/spec"
)

// rig is one test's stack on the real engine with a running loop.
type rig struct {
	t       testing.TB
	docker  engine.Docker
	eng     *engine.Engine
	image   string
	project string
	p       *spec.Project
	dir     string

	mu     sync.Mutex
	events []devloop.Event
	wake   chan struct{}
}

func newRig(t testing.TB) *rig {
	t.Helper()
	if tt, ok := t.(*testing.T); ok {
		tt.Parallel()
	}
	d := testenv.Docker(t)
	image := testenv.TestImage(t)
	project := testenv.Project(t)
	testenv.Cleanup(t, project)
	r := &rig{t: t, docker: d, eng: engine.New(d, nil, nil), image: image, project: project, dir: t.TempDir(), wake: make(chan struct{}, 1)}
	r.p = &spec.Project{
		Name:     project,
		Services: map[string]*spec.Service{},
		Networks: map[string]*spec.Network{"default": {Key: "default", Name: project + "_default", Labels: map[string]string{testenv.LabelTest: "1"}}},
		Volumes:  map[string]*spec.Volume{},
	}
	return r
}

func (r *rig) service(name string, replicas int, rules ...spec.WatchRule) *spec.Service {
	grace := time.Second
	s := &spec.Service{
		Name: name, Image: r.image, Command: []string{"serve"}, Replicas: replicas,
		DependsOn: map[string]spec.Dependency{}, StopGracePeriod: &grace,
		Labels:  map[string]string{testenv.LabelTest: "1"},
		Develop: &spec.Develop{Watch: rules},
	}
	r.p.Services[name] = s
	return s
}

func (r *rig) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	r.t.Cleanup(cancel)
	return ctx
}

// up starts the stack and the loop; the loop ends with the test.
func (r *rig) up() {
	r.t.Helper()
	if _, err := r.eng.Up(r.ctx(), r.p, engine.UpOptions{}); err != nil {
		r.t.Fatalf("up: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- devloop.Run(ctx, r.eng, r.docker, r.p, devloop.Options{
			Report: func(e devloop.Event) {
				r.t.Logf("event: %s", e)
				r.mu.Lock()
				r.events = append(r.events, e)
				r.mu.Unlock()
				select {
				case r.wake <- struct{}{}:
				default:
				}
			},
			Ready: func() { close(ready) },
		})
	}()
	r.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			r.t.Errorf("loop: %v", err)
		}
	})
	select {
	case <-ready:
	case err := <-done:
		r.t.Fatalf("loop ended before it was ready: %v", err)
	case <-time.After(time.Minute):
		r.t.Fatal("loop not ready after a minute")
	}
}

// waitEvent waits for an event after the first `after` ones that matches.
func (r *rig) waitEvent(after int, what string, match func(devloop.Event) bool) devloop.Event {
	r.t.Helper()
	deadline := time.After(2 * time.Minute)
	for {
		r.mu.Lock()
		for _, e := range r.events[after:] {
			if match(e) {
				r.mu.Unlock()
				return e
			}
		}
		r.mu.Unlock()
		select {
		case <-r.wake:
		case <-deadline:
			r.t.Fatalf("no %s event", what)
		}
	}
}

func (r *rig) seen() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

func (r *rig) write(rel, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) containers(service string) []engine.Container {
	r.t.Helper()
	cs, err := r.docker.ContainerList(r.ctx(), engine.Labels{engine.LabelProject: r.project, engine.LabelService: service})
	if err != nil {
		r.t.Fatal(err)
	}
	var running []engine.Container
	for _, c := range cs {
		if c.State == "running" {
			running = append(running, c)
		}
	}
	return running
}

// read returns the content of p in container id, or ok false when absent.
func (r *rig) read(id, p string) (string, bool) {
	r.t.Helper()
	rc, _, err := r.docker.CopyFromContainer(r.ctx(), id, p)
	if errors.Is(err, engine.ErrNotFound) {
		return "", false
	}
	if err != nil {
		r.t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	hdr, err := tr.Next()
	if err == io.EOF {
		return "", false // removed while the daemon read it
	}
	if err != nil {
		r.t.Fatal(err)
	}
	b, _ := io.ReadAll(tr)
	if hdr.Typeflag == tar.TypeSymlink {
		return "-> " + hdr.Linkname, true
	}
	return string(b), true
}

func isSync(e devloop.Event) bool { return e.Action == spec.WatchSync && e.Error == "" }

// TestSync: a synced file appears in every replica (a FROM scratch image:
// no shell, no cp, no rm), a deleted one disappears, ignored files are not
// copied, and a symlink out of the watched tree does not escape target.
func TestSync(t *testing.T) {
	r := newRig(t)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.write("keep.txt", "keep")
	r.service("api", 2, spec.WatchRule{Action: spec.WatchSync, Path: r.dir, Target: "/app", Ignore: []string{"*.tmp", "cache/"}, InitialSync: true})
	r.up()
	cs := r.containers("api")
	if len(cs) != 2 {
		t.Fatalf("%d running replicas, want 2", len(cs))
	}
	for _, c := range cs {
		if got, ok := r.read(c.ID, "/app/keep.txt"); !ok || got != "keep" {
			t.Errorf("%s: initial sync: /app/keep.txt = %q, %v", c.Name, got, ok)
		}
	}

	n := r.seen()
	r.write("a.txt", "one")
	r.write("src/deep/b.txt", "two")
	r.write("skip.tmp", "no")
	r.write("cache/c.txt", "no")
	if err := os.Symlink(outside, filepath.Join(r.dir, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(r.dir, "secret-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.txt", filepath.Join(r.dir, "inside-link")); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"/app/a.txt": "one", "/app/src/deep/b.txt": "two", "/app/inside-link": "-> a.txt"}
	r.eventually(func() bool {
		for _, c := range cs {
			for p, w := range want {
				if got, _ := r.read(c.ID, p); got != w {
					return false
				}
			}
		}
		return true
	}, "a.txt, src/deep/b.txt and inside-link in both replicas")
	r.waitEvent(n, "sync", isSync)
	for _, c := range cs {
		for _, p := range []string{"/app/skip.tmp", "/app/cache", "/app/out", "/app/secret-link", "/app/out/secret.txt"} {
			if got, ok := r.read(c.ID, p); ok {
				t.Errorf("%s: %s was copied (%q)", c.Name, p, got)
			}
		}
	}

	if err := os.Remove(filepath.Join(r.dir, "a.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(r.dir, "src")); err != nil {
		t.Fatal(err)
	}
	r.eventually(func() bool {
		for _, c := range cs {
			if _, ok := r.read(c.ID, "/app/a.txt"); ok {
				return false
			}
			if _, ok := r.read(c.ID, "/app/src"); ok {
				return false
			}
		}
		return true
	}, "a.txt and src removed in both replicas")
	for _, c := range cs {
		if got, _ := r.read(c.ID, "/app/keep.txt"); got != "keep" {
			t.Errorf("%s: keep.txt = %q after the deletes", c.Name, got)
		}
	}
}

func (r *rig) eventually(cond func() bool, what string) {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			r.t.Fatalf("never: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRestart: a restart rule restarts the service's container.
func TestRestart(t *testing.T) {
	r := newRig(t)
	r.write("flags", "a")
	r.service("api", 1, spec.WatchRule{Action: spec.WatchRestart, Path: filepath.Join(r.dir, "flags")})
	r.up()
	before := r.inspect("api")
	n := r.seen()
	r.write("flags", "b")
	r.waitEvent(n, "restart", func(e devloop.Event) bool { return e.Action == spec.WatchRestart && e.Error == "" })
	after := r.inspect("api")
	if after.ID != before.ID || !after.Running || !after.StartedAt.After(before.StartedAt) {
		t.Errorf("after restart: id %s running %v started %v; before: id %s started %v", after.ID, after.Running, after.StartedAt, before.ID, before.StartedAt)
	}
}

func (r *rig) inspect(service string) engine.ContainerState {
	r.t.Helper()
	cs := r.containers(service)
	if len(cs) != 1 {
		r.t.Fatalf("%d running containers of %s, want 1", len(cs), service)
	}
	st, err := r.docker.ContainerInspect(r.ctx(), cs[0].ID)
	if err != nil {
		r.t.Fatal(err)
	}
	return st
}

// TestRebuild: a rebuild rule serves the new code; a broken build keeps the
// old container serving and the loop recovers once the code is fixed.
func TestRebuild(t *testing.T) {
	r := newRig(t)
	dockerfile := func(name string) string { return "FROM " + r.image + "\nENV NAME=" + name + "\n" }
	r.write("Dockerfile", dockerfile("v1"))
	s := r.service("web", 1, spec.WatchRule{Action: spec.WatchRebuild, Path: r.dir})
	s.Image = r.project + "/web:dev"
	s.Build = &spec.Build{Context: r.dir, Labels: map[string]string{engine.LabelProject: r.project, testenv.LabelTest: "1"}}
	var images []string
	t.Cleanup(func() {
		ctx := context.Background()
		testenv.RemoveProject(ctx, r.docker, r.project)
		for _, ref := range append([]string{s.Image}, images...) {
			if err := r.docker.ImageRemove(ctx, ref); err != nil && !errors.Is(err, engine.ErrNotFound) {
				t.Logf("cleanup: %v", err)
			}
		}
	})
	remember := func() {
		if img, err := r.docker.ImageInspect(r.ctx(), s.Image); err == nil {
			images = append(images, img.ID)
		}
	}
	r.up()
	remember()
	r.wantServing("web", "name=v1")

	n := r.seen()
	r.write("Dockerfile", dockerfile("v2"))
	r.waitEvent(n, "rebuild", func(e devloop.Event) bool { return e.Action == spec.WatchRebuild && e.Error == "" })
	remember()
	r.wantServing("web", "name=v2")
	old := r.inspect("web").ID

	n = r.seen()
	r.write("Dockerfile", dockerfile("v3")+"COPY missing.txt /missing.txt\n")
	ev := r.waitEvent(n, "failed rebuild", func(e devloop.Event) bool { return e.Action == spec.WatchRebuild })
	if ev.Error == "" || !strings.Contains(ev.String(), "failed") {
		t.Fatalf("broken build: %s, want a failure", ev)
	}
	if id := r.inspect("web").ID; id != old {
		t.Errorf("a broken build replaced the container (%s -> %s)", old, id)
	}
	r.wantServing("web", "name=v2")

	n = r.seen()
	r.write("Dockerfile", dockerfile("v4"))
	r.waitEvent(n, "rebuild", func(e devloop.Event) bool { return e.Action == spec.WatchRebuild && e.Error == "" })
	remember()
	r.wantServing("web", "name=v4")
}

// wantServing asks the service's server (from inside its container) and
// wants text in the answer.
func (r *rig) wantServing(service, text string) {
	r.t.Helper()
	r.eventually(func() bool {
		cs := r.containers(service)
		if len(cs) != 1 {
			return false
		}
		res, err := r.docker.Exec(r.ctx(), cs[0].ID, []string{"/testimage", "get", "http://127.0.0.1:8080/"})
		return err == nil && strings.Contains(res.Output, text)
	}, service+" answers "+text)
}

// TestSyncExecAndSyncRestart: sync+exec syncs, then runs the command in the
// container; sync+restart syncs, then restarts.
func TestSyncExecAndSyncRestart(t *testing.T) {
	r := newRig(t)
	execDir, restartDir := filepath.Join(r.dir, "conf"), filepath.Join(r.dir, "flags")
	r.write("conf/app.conf", "v0")
	r.write("flags/on", "v0")
	r.service("api", 1, spec.WatchRule{Action: spec.WatchSyncExec, Path: execDir, Target: "/app/conf",
		Exec: &spec.WatchExec{Command: []string{"/testimage", "write", "/data/reloaded", "yes"}}})
	r.service("worker", 1, spec.WatchRule{Action: spec.WatchSyncRestart, Path: restartDir, Target: "/app/flags"})
	r.up()
	worker := r.inspect("worker")

	n := r.seen()
	r.write("conf/app.conf", "v1")
	r.waitEvent(n, "exec", func(e devloop.Event) bool { return e.Action == "exec" && e.Service == "api" })
	api := r.containers("api")[0].ID
	if got, _ := r.read(api, "/app/conf/app.conf"); got != "v1" {
		t.Errorf("app.conf = %q, want v1", got)
	}
	if got, _ := r.read(api, "/data/reloaded"); got != "yes" {
		t.Errorf("/data/reloaded = %q, want yes (the exec did not run)", got)
	}

	n = r.seen()
	r.write("flags/on", "v1")
	r.waitEvent(n, "restart", func(e devloop.Event) bool {
		return e.Action == spec.WatchRestart && e.Service == "worker" && e.Error == ""
	})
	after := r.inspect("worker")
	if got, _ := r.read(after.ID, "/app/flags/on"); got != "v1" {
		t.Errorf("flags/on = %q, want v1", got)
	}
	if !after.StartedAt.After(worker.StartedAt) {
		t.Errorf("worker not restarted: started %v, before %v", after.StartedAt, worker.StartedAt)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e.Error != "" {
			t.Errorf("event with an error: %s", e)
		}
	}
}

// TestSyncReadOnlyRoot: a read-only container with a volume at the target
// gets its files and deletes there (the helper runs from the target).
func TestSyncReadOnlyRoot(t *testing.T) {
	r := newRig(t)
	r.write("a.txt", "one")
	s := r.service("api", 1, spec.WatchRule{Action: spec.WatchSync, Path: r.dir, Target: "/data/app"})
	s.ReadOnly = true
	s.Volumes = []spec.Mount{{Type: spec.MountVolume, Target: "/data"}}
	r.up()
	id := r.containers("api")[0].ID
	r.write("b.txt", "two")
	r.eventually(func() bool { got, _ := r.read(id, "/data/app/b.txt"); return got == "two" }, "b.txt synced")
	if err := os.Remove(filepath.Join(r.dir, "b.txt")); err != nil {
		t.Fatal(err)
	}
	r.eventually(func() bool { _, ok := r.read(id, "/data/app/b.txt"); return !ok }, "b.txt removed")
	if _, ok := r.read(id, "/data/app/.stack-rmhelper"); ok {
		t.Error("the helper stayed in the target")
	}
}
