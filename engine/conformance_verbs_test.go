package engine_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
)

// pause and unpause move the named services' containers between running
// and paused; ps lists paused ones without -a, as docker ps does.
func TestPauseUnpause(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		p := e.stack()
		e.service(p, "web")
		e.service(p, "api")
		e.up(p, engine.UpOptions{Wait: true, WaitTimeout: time.Minute})
		if err := e.engine.Pause(e.ctx(), e.project, []string{"web"}); err != nil {
			t.Fatalf("pause: %v", err)
		}
		states := func() map[string]string {
			t.Helper()
			rows, err := e.engine.Ps(e.ctx(), e.project, engine.PsOptions{})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, r := range rows {
				out[r.Service] = r.State
			}
			return out
		}
		if got := states(); got["web"] != "paused" || got["api"] != "running" {
			t.Errorf("after pause web: %v, want web paused, api running", got)
		}
		// Pausing again changes nothing and is no error: only running
		// containers are paused.
		if err := e.engine.Pause(e.ctx(), e.project, nil); err != nil {
			t.Fatalf("pause all: %v", err)
		}
		if err := e.engine.Unpause(e.ctx(), e.project, nil); err != nil {
			t.Fatalf("unpause: %v", err)
		}
		if got := states(); got["web"] != "running" || got["api"] != "running" {
			t.Errorf("after unpause: %v, want both running", got)
		}
	})
}

// kill signals running containers only; rm removes stopped ones, or with
// Stop all, and keeps networks.
func TestKillAndRemove(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		p := e.stack()
		e.service(p, "web")
		e.service(p, "api")
		e.up(p, engine.UpOptions{Wait: true, WaitTimeout: time.Minute})
		n, err := e.engine.Kill(e.ctx(), e.project, engine.KillOptions{Services: []string{"web"}})
		if err != nil || n != 1 {
			t.Fatalf("kill web: %d, %v; want 1 container", n, err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for e.containers()[e.project+"-web-1"].State != "exited" && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		removed, err := e.engine.Removable(e.ctx(), e.project, engine.RemoveOptions{})
		if err != nil || !slices.Equal(removed, []string{e.project + "-web-1"}) {
			t.Fatalf("removable: %v, %v; want the killed web", removed, err)
		}
		if err := e.engine.Remove(e.ctx(), e.project, engine.RemoveOptions{}); err != nil {
			t.Fatalf("rm: %v", err)
		}
		if got := names(e.containers()); got != e.project+"-api-1" {
			t.Errorf("after rm: %s, want the running api only", got)
		}
		if err := e.engine.Remove(e.ctx(), e.project, engine.RemoveOptions{Stop: true, Timeout: new(time.Duration)}); err != nil {
			t.Fatalf("rm -s: %v", err)
		}
		if got := e.containers(); len(got) != 0 {
			t.Errorf("after rm -s: %s, want none", names(got))
		}
		nets, err := e.docker.NetworkList(e.ctx(), engine.Labels{engine.LabelProject: e.project})
		if err != nil || len(nets) != 1 {
			t.Errorf("networks after rm: %v, %v; want the default network kept", nets, err)
		}
	})
}

// top lists each running container's processes; ps with Details names
// the command.
func TestTopAndPsDetails(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		p := e.stack()
		e.service(p, "web", "serve")
		e.up(p, engine.UpOptions{Wait: true, WaitTimeout: time.Minute})
		top, err := e.engine.Top(e.ctx(), e.project, nil)
		if err != nil || len(top) != 1 || top[0].Name != e.project+"-web-1" || len(top[0].Processes) == 0 {
			t.Fatalf("top: %+v, %v; want web's processes", top, err)
		}
		rows, err := e.engine.Ps(e.ctx(), e.project, engine.PsOptions{Details: true})
		if err != nil || len(rows) != 1 || rows[0].Details == nil || !strings.HasSuffix(rows[0].Details.Command, "serve") {
			t.Fatalf("ps with details: %+v, %v", rows, err)
		}
		if r := rows[0]; r.Project != e.project || !slices.Equal(r.Networks, []string{e.project + "_default"}) || r.Labels[engine.LabelService] != "web" {
			t.Errorf("ps row: project %q networks %v labels %v", r.Project, r.Networks, r.Labels)
		}
	})
}

// create makes the containers up would and starts none; up starts them.
func TestCreateStartsNothing(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		p := e.stack()
		e.service(p, "web", "serve")
		if _, err := e.engine.Create(e.ctx(), p, engine.CreateOptions{}); err != nil {
			t.Fatalf("create: %v", err)
		}
		c, ok := e.containers()[e.project+"-web-1"]
		if !ok || c.State != "created" {
			t.Fatalf("after create: %+v, want web-1 created", e.containers())
		}
		plan := e.up(p, engine.UpOptions{Wait: true, WaitTimeout: time.Minute})
		if got := e.containers()[e.project+"-web-1"]; got.ID != c.ID || got.State != "running" {
			t.Errorf("after up: %+v, want the created container running (plan %+v)", got, plan)
		}
	})
}
