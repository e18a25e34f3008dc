package engine_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
)

// depends_on with required: false: a dependency that fails its condition
// is reported and not waited for; the dependent starts, as in Compose.
func TestOptionalDependencyFailure(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		var mu sync.Mutex
		var warnings []string
		e.engine = engine.New(e.docker, nil, func(s engine.Status) {
			if s.Phase == engine.PhaseWarning {
				mu.Lock()
				warnings = append(warnings, s.Object+": "+s.Detail)
				mu.Unlock()
			}
		})
		p := e.stack()
		e.service(p, "migrate", "exit", "3")
		api := e.service(p, "api")
		api.DependsOn["migrate"] = spec.Dependency{Condition: spec.ConditionCompleted, Required: false}
		if _, err := e.engine.Up(e.ctx(), p, engine.UpOptions{}); err != nil {
			t.Fatalf("up: %v (an optional dependency's failure is not the stack's)", err)
		}
		if c := e.containers()[e.project+"-api-1"]; c.State != "running" {
			t.Errorf("api: %s, want running", c.State)
		}
		mu.Lock()
		defer mu.Unlock()
		want := e.project + "-api-1: optional dependency migrate did not meet service_completed_successfully; starting anyway"
		if !strings.Contains(strings.Join(warnings, "\n"), want) {
			t.Errorf("warnings %q lack %q", warnings, want)
		}
	})
}
