package engine_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/spec"
)

// Bringing a stack up and down: dependency order, conditions, failures.

func TestChainUpNoopDown(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
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
	})
}

func TestConditionsHealthyAndCompleted(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
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
	})
}

func TestFailingJobStopsDependents(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
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
	})
}

func TestHealthTimeout(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
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
	})
}

// up --wait with one-shots that nothing depends on: one that exits 0 is
// done, however fast it was (Docker Compose fails the wait if it exited
// before the wait looked); one that failed by then fails the wait, by name.
// A service with no restart policy may just as well be a server, so one
// still running is not waited on to exit.
func TestWaitOneShotsNobodyDependsOn(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		p := e.stack()
		e.service(p, "web")
		e.service(p, "seed", "exit", "0")
		e.up(p, engine.UpOptions{Wait: true, WaitTimeout: time.Minute})
		if c := e.containers()[e.project+"-seed-1"]; c.State != "exited" && c.State != "running" {
			t.Errorf("seed is %s, want it run", c.State)
		}
		if !e.world.real {
			// On the fake a command's exit is part of its start, so the
			// wait always finds the failed one-shot exited; on the daemon
			// that is a race the wait may or may not see.
			e.service(p, "broken", "exit", "3")
			_, err := e.engine.Up(e.ctx(), p, engine.UpOptions{Wait: true, WaitTimeout: time.Minute})
			if err == nil {
				t.Fatal("up --wait with a one-shot exiting 3 succeeded; want an error")
			}
			for _, want := range []string{e.project + "-broken-1", "exited with code 3"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "seed") {
				t.Errorf("error %q blames seed, which exited 0", err)
			}
		}
	})
}

// External networks and volumes are never created by stack: one that does
// not exist fails up before anything is made, naming it.
func TestUpMissingExternalResources(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		ctx := e.ctx()
		volName, netName := e.project+"-ext-vol", e.project+"-ext-net"
		p := e.stack()
		s := e.service(p, "app")
		p.Volumes["data"] = &spec.Volume{Key: "data", Name: volName, External: true}
		s.Volumes = []spec.Mount{{Type: spec.MountVolume, Source: "data", Target: "/data"}}
		// It is not the project's, so it is removed by hand (after the
		// project's containers, which use it), also if a broken up makes it.
		t.Cleanup(func() {
			ctx := context.Background()
			if err := testenv.RemoveProject(ctx, e.docker, e.project); err != nil {
				t.Errorf("cleanup: %v", err)
			}
			if err := e.docker.VolumeRemove(ctx, volName); err != nil && !errors.Is(err, engine.ErrNotFound) {
				t.Errorf("cleanup: %v", err)
			}
		})

		_, err := e.engine.Up(ctx, p, engine.UpOptions{})
		if err == nil || !strings.Contains(err.Error(), "external volume "+volName) {
			t.Fatalf("up: %v, want an error naming the external volume", err)
		}
		if _, err := e.docker.VolumeInspect(ctx, volName); !errors.Is(err, engine.ErrNotFound) {
			t.Errorf("the external volume was created: %v", err)
		}
		if cs := e.containers(); len(cs) > 0 {
			t.Errorf("containers made: %s", names(cs))
		}
		if nets, _ := e.docker.NetworkList(ctx, engine.Labels{engine.LabelProject: e.project}); len(nets) > 0 {
			t.Errorf("networks made: %+v", nets)
		}

		// Once it exists, up uses it.
		if err := e.docker.VolumeCreate(ctx, engine.VolumeSpec{Name: volName, Labels: map[string]string{testenv.LabelTest: "1"}}); err != nil {
			t.Fatal(err)
		}
		e.up(p, engine.UpOptions{})

		p.Networks["outside"] = &spec.Network{Key: "outside", Name: netName, External: true}
		s.Networks = map[string]*spec.ServiceNetwork{"outside": {}}
		_, err = e.engine.Up(ctx, p, engine.UpOptions{})
		if err == nil || !strings.Contains(err.Error(), "external network "+netName) {
			t.Fatalf("up: %v, want an error naming the external network", err)
		}
	})
}
