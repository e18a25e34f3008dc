package engine_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/spec"
)

// Changing a running stack: recreate, scale, roll, concurrent ups, volumes.

func TestRecreateOnlyWhatChanged(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
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
	})
}

func TestScaleNumbering(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
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
	})
}

func TestRollingRecreateKeepsServing(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		p := e.stack()
		web := e.service(p, "web", "serve", "--ready-after", "500ms")
		withHealthcheck(web)
		web.Replicas = 2
		probe := e.service(p, "probe", "sleep", "1h")
		_ = probe
		e.up(p, engine.UpOptions{Wait: true, WaitTimeout: time.Minute})

		// While web rolls, the probe keeps asking web by its service name.
		// It asks for / (answered as soon as a replica listens), not
		// /healthz: a new replica is in DNS before it is ready, as with
		// Compose, so "dark" means no replica answers at all.
		probeID := e.containers()[e.project+"-probe-1"].ID
		stop := make(chan struct{})
		var failures, successes int
		var lastFailure string
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := e.docker.Exec(context.Background(), probeID, []string{"/testimage", "get", "http://web:8080/"})
				switch {
				case err != nil:
					failures, lastFailure = failures+1, err.Error()
				case res.ExitCode != 0:
					failures, lastFailure = failures+1, res.Output
				default:
					successes++
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
			t.Errorf("web went dark during the roll: %d failures, %d successes; last failure: %s", failures, successes, lastFailure)
		}
	})
}

func TestConcurrentUpCreatesNoDuplicates(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
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
	})
}

func TestVolumeSurvivesRecreateAndDown(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
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
	})
}

// An anonymous volume's data survives a recreate, as with Compose: the new
// container mounts its predecessor's volume. up -V gives it a new one, and
// the volumes go with the containers at down, inherited ones included.
func TestAnonymousVolumeSurvivesRecreate(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		p := e.stack()
		s := e.service(p, "db")
		s.Volumes = []spec.Mount{{Type: spec.MountVolume, Target: "/data"}}
		e.up(p, engine.UpOptions{})
		name := e.project + "-db-1"
		if res := e.exec(name, "/testimage", "write", "/data/x", "kept"); res.ExitCode != 0 {
			t.Fatalf("write: %s", res.Output)
		}
		volumeAt := func() string {
			t.Helper()
			st, err := e.docker.ContainerInspect(e.ctx(), name)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range st.Mounts {
				if m.Target == "/data" && m.Type == "volume" {
					return m.Source
				}
			}
			t.Fatalf("%s mounts no volume at /data: %+v", name, st.Mounts)
			return ""
		}
		first := volumeAt()

		for i, env := range []string{"v2", "v3"} {
			s.Environment = map[string]string{"NAME": env}
			e.up(p, engine.UpOptions{})
			if got := volumeAt(); got != first {
				t.Fatalf("recreate %d: /data is volume %s, want the first one %s", i+1, got, first)
			}
			if res := e.exec(name, "/testimage", "cat", "/data/x"); !strings.Contains(res.Output, "kept") {
				t.Fatalf("recreate %d: /data/x is %q", i+1, res.Output)
			}
		}

		s.Environment = map[string]string{"NAME": "v4"}
		e.up(p, engine.UpOptions{RenewAnonVolumes: true})
		renewed := volumeAt()
		if renewed == first {
			t.Fatal("up -V kept the old anonymous volume")
		}
		if res := e.exec(name, "/testimage", "cat", "/data/x"); strings.Contains(res.Output, "kept") {
			t.Fatalf("up -V: the new volume has the old data (%q)", res.Output)
		}
		if _, err := e.docker.VolumeInspect(e.ctx(), first); !errors.Is(err, engine.ErrNotFound) {
			t.Errorf("up -V left the replaced anonymous volume %s (%v)", first, err)
		}

		s.Environment = map[string]string{"NAME": "v5"}
		e.up(p, engine.UpOptions{})
		inherited := volumeAt()
		if inherited != renewed {
			t.Fatalf("after -V, a recreate mounts %s, want %s", inherited, renewed)
		}
		if err := e.engine.Down(e.ctx(), e.project, engine.DownOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.docker.VolumeInspect(e.ctx(), inherited); !errors.Is(err, engine.ErrNotFound) {
			t.Errorf("down left the anonymous volume %s (%v)", inherited, err)
		}
	})
}

// The anonymous volume of an image's VOLUME is kept as well, also by a
// scaled service, which recreates those replicas one after the other (not
// rolling: two containers would share the volume at once).
func TestImageVolumeSurvivesRecreate(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		image := "stack-volimage-" + e.project + ":1"
		if f, ok := e.docker.(*dockerfake.Fake); ok {
			f.AddImage(engine.Image{ID: "sha256:" + strings.Repeat("7c", 32), RepoTags: []string{image}, Volumes: []string{"/data"}})
		} else {
			var buf bytes.Buffer
			tw := tar.NewWriter(&buf)
			dockerfile := []byte("FROM " + e.image + "\nVOLUME /data\n")
			tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(dockerfile))}) //nolint:errcheck // in memory
			tw.Write(dockerfile)                                                                       //nolint:errcheck // in memory
			tw.Close()                                                                                 //nolint:errcheck // in memory
			if _, err := e.docker.ImageBuild(e.ctx(), &buf, engine.BuildSpec{Tags: []string{image}, Dockerfile: "Dockerfile",
				Labels: map[string]string{testenv.LabelTest: "1"}}, nil); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { e.docker.ImageRemove(context.Background(), image) })
		}
		p := e.stack()
		s := e.service(p, "cache", "serve")
		s.Image, s.Replicas = image, 2
		e.up(p, engine.UpOptions{})
		for _, n := range []string{"1", "2"} {
			if res := e.exec(e.project+"-cache-"+n, "/testimage", "write", "/data/x", "replica "+n); res.ExitCode != 0 {
				t.Fatalf("write: %s", res.Output)
			}
		}
		s.Environment = map[string]string{"NAME": "v2"}
		plan := e.up(p, engine.UpOptions{})
		var b strings.Builder
		plan.Write(&b)
		for _, n := range []string{"1", "2"} {
			if res := e.exec(e.project+"-cache-"+n, "/testimage", "cat", "/data/x"); res.Output != "replica "+n {
				t.Errorf("replica %s after recreate: /data/x is %q, want its own data\n%s", n, res.Output, b.String())
			}
		}
	})
}
