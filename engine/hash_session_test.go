package engine

import "testing"

// Session labels are on every container of a session, yet who owns a
// stack (and until when) does not change its containers: a reused stack
// keeps them whatever session finds it.
func TestConfigHashIgnoresSessionLabels(t *testing.T) {
	p := chain()
	s := p.Services["c"]
	h1 := configHash(containerSpec(p, s, 1, "sha256:c"))
	p.Labels = map[string]string{LabelSession: "test-1", LabelSessionReaper: "stack-reaper-x", LabelSessionExpires: "1796162027"}
	cs := containerSpec(p, s, 1, "sha256:c")
	if cs.Labels[LabelSession] != "test-1" {
		t.Fatalf("project labels not on the container: %v", cs.Labels)
	}
	if h2 := configHash(cs); h2 != h1 {
		t.Error("session labels change the config hash")
	}
	p.Labels = map[string]string{"team": "checkout"}
	if h3 := configHash(containerSpec(p, s, 1, "sha256:c")); h3 == h1 {
		t.Error("another project label does not change the config hash")
	}
}
