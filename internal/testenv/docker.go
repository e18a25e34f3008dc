// Package testenv holds the helpers every integration test against the real
// Docker daemon uses: skipping without a daemon, the shared test image, a
// unique project per test and the cleanup of everything it labelled.
package testenv

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/stack-dev/stack/engine/mobydocker"
)

var (
	pingOnce sync.Once
	pingErr  error
)

// RequireDocker skips the test when no Docker daemon answers, and fails it
// instead when CI=true: CI must not pass by skipping everything.
func RequireDocker(t testing.TB) {
	t.Helper()
	pingOnce.Do(func() {
		c, err := mobydocker.New(zap.NewNop())
		if err != nil {
			pingErr = err
			return
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, pingErr = c.Version(ctx)
	})
	if pingErr == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("docker daemon required on CI: %v", pingErr)
	}
	t.Skipf("no docker daemon: %v", pingErr)
}

// Docker returns a client of the real daemon (skipping as RequireDocker
// does), closed when the test ends.
func Docker(t testing.TB) *mobydocker.Client {
	t.Helper()
	RequireDocker(t)
	c, err := mobydocker.New(zap.NewNop())
	if err != nil {
		t.Fatalf("docker client: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
