package mobydocker_test

import (
	"testing"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockertest"
	"github.com/stack-dev/stack/internal/testenv"
)

// TestConformance runs the engine.Docker contract against the real daemon.
func TestConformance(t *testing.T) {
	image := testenv.TestImage(t)
	dockertest.Run(t, func(t *testing.T) engine.Docker { return testenv.Docker(t) }, image)
}
