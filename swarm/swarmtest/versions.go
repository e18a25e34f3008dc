package swarmtest

import (
	"testing"

	"github.com/stack-dev/stack/swarm"
)

// Versions returns the version of each service of stack ns by its full
// name: a deploy that changed nothing leaves every one as it was.
func Versions(t testing.TB, sw swarm.Swarm, ns string) map[string]uint64 {
	t.Helper()
	svcs, err := sw.ServiceList(t.Context(), map[string]string{swarm.LabelNamespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	for _, s := range svcs {
		out[s.Spec.Name] = s.Version
	}
	return out
}
