package swarmfake_test

import (
	"testing"
	"time"

	"github.com/stack-dev/stack/swarm/swarmfake"
	"github.com/stack-dev/stack/swarm/swarmtest"
)

func TestFakeConformance(t *testing.T) {
	swarmtest.Run(t, swarmtest.Config{Swarm: swarmfake.New(), Namespace: "conf", Image: "stack-testimage:dev", Timeout: time.Second})
}
