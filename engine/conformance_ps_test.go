package engine_test

import (
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
)

// ps shows health while a container runs; a stopped one keeps its last
// health in the daemon, which ps does not pass off as current.
func TestPsHealthOnlyWhileRunning(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		p := e.stack()
		withHealthcheck(e.service(p, "web"))
		e.up(p, engine.UpOptions{Wait: true, WaitTimeout: time.Minute})
		ps := func(all bool) []engine.ContainerSummary {
			t.Helper()
			rows, err := e.engine.Ps(e.ctx(), e.project, engine.PsOptions{All: all})
			if err != nil || len(rows) != 1 {
				t.Fatalf("ps: %+v %v; want one row", rows, err)
			}
			return rows
		}
		// --wait may have seen stack's own readiness probe pass before the
		// daemon's first check; the daemon says healthy soon after.
		deadline := time.Now().Add(30 * time.Second)
		for ps(false)[0].Health != "healthy" && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		if r := ps(false)[0]; r.State != "running" || r.Health != "healthy" {
			t.Errorf("running: state %q health %q, want running healthy", r.State, r.Health)
		}
		if err := e.engine.Stop(e.ctx(), e.project, engine.StopOptions{}); err != nil {
			t.Fatal(err)
		}
		if r := ps(true)[0]; r.State != "exited" || r.Health != "" {
			t.Errorf("stopped: state %q health %q, want exited and no health", r.State, r.Health)
		}
	})
}
