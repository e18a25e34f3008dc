package engine_test

import (
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
)

// start SERVICE starts its stopped dependencies first, as in Compose,
// going by labels alone; other services stay stopped.
func TestStartServiceStartsItsDependencies(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		p := e.stack()
		e.service(p, "db", "serve")
		dependOn(e.service(p, "api", "serve"), "db", spec.ConditionStarted)
		e.service(p, "other", "serve")
		e.up(p, engine.UpOptions{Wait: true, WaitTimeout: time.Minute})
		if err := e.engine.Stop(e.ctx(), e.project, engine.StopOptions{Timeout: new(time.Duration)}); err != nil {
			t.Fatal(err)
		}
		if err := e.engine.Start(e.ctx(), e.project, []string{"api"}); err != nil {
			t.Fatalf("start api: %v", err)
		}
		got := map[string]string{}
		for _, c := range e.containers() {
			got[c.Labels[engine.LabelService]] = c.State
		}
		if got["api"] != "running" || got["db"] != "running" || got["other"] == "running" {
			t.Errorf("after start api: %v, want api and db running, other not", got)
		}
	})
}

// restart SERVICE restarts that service only, and start SERVICE does not
// run again a one-shot job its dependency waited on, as up does not.
func TestRestartAndStartLeaveCompletedJobs(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		p := e.stack()
		e.service(p, "train", "exit", "0")
		server := e.service(p, "server", "serve")
		dependOn(server, "train", spec.ConditionCompleted)
		dependOn(e.service(p, "gateway", "serve"), "server", spec.ConditionStarted)
		e.up(p, engine.UpOptions{Wait: true, WaitTimeout: time.Minute})
		starts := func() map[string]time.Time {
			out := map[string]time.Time{}
			for _, c := range e.containers() {
				st, err := e.docker.ContainerInspect(e.ctx(), c.ID)
				if err != nil {
					t.Fatal(err)
				}
				out[c.Labels[engine.LabelService]] = st.StartedAt
			}
			return out
		}
		before := starts()
		if err := e.engine.Restart(e.ctx(), e.project, engine.StopOptions{Services: []string{"gateway"}, Timeout: new(time.Duration)}); err != nil {
			t.Fatalf("restart gateway: %v", err)
		}
		after := starts()
		if !after["gateway"].After(before["gateway"]) || !after["server"].Equal(before["server"]) || !after["train"].Equal(before["train"]) {
			t.Errorf("restart gateway: starts %v -> %v, want gateway restarted only", before, after)
		}
		if err := e.engine.Stop(e.ctx(), e.project, engine.StopOptions{Timeout: new(time.Duration)}); err != nil {
			t.Fatal(err)
		}
		if err := e.engine.Start(e.ctx(), e.project, []string{"gateway"}); err != nil {
			t.Fatalf("start gateway: %v", err)
		}
		final := starts()
		if !final["train"].Equal(before["train"]) || !final["server"].After(after["server"]) {
			t.Errorf("start gateway: starts %v -> %v, want server started and the completed train job left alone", after, final)
		}
	})
}
