package dashboard

import (
	"testing"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
)

// A one-shot job others wait on that exited 0 is completed, not down; a
// server that exited 0 is still exited.
func TestCompletedJobState(t *testing.T) {
	model := &spec.Project{Services: map[string]*spec.Service{
		"train":  {Name: "train"},
		"server": {Name: "server", DependsOn: map[string]spec.Dependency{"train": {Condition: spec.ConditionCompleted}}},
	}}
	jobs := model.AwaitedToComplete()
	if !jobs["train"] || jobs["server"] {
		t.Fatalf("jobs %v, want train only", jobs)
	}
	if s := serviceSummary("train", []engine.ContainerSummary{{State: "completed"}}); s.State != "completed" {
		t.Errorf("summary %q, want completed", s.State)
	}
	if s := serviceSummary("server", []engine.ContainerSummary{{State: "running", Health: "healthy"}, {State: "exited"}}); s.State != "exited" {
		t.Errorf("summary %q, want the worst replica, exited", s.State)
	}
}
