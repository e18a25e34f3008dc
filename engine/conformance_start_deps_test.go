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
