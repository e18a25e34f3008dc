package mobydocker_test

import (
	"testing"
	"time"

	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/swarm/swarmtest"
)

func TestSwarmConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a swarm")
	}
	img := testenv.TestImage(t)
	ns := testenv.Project(t)
	sw := testenv.Swarm(t, ns)
	swarmtest.Run(t, swarmtest.Config{Swarm: sw, Namespace: ns, Image: img, Timeout: 90 * time.Second})
}
