package dockerfake

import (
	"context"
	"fmt"

	"github.com/stack-dev/stack/engine"
)

// Exec runs cmd in a running container by asking the OnExec function; by
// default it succeeds with no output.
func (f *Fake) Exec(ctx context.Context, id string, cmd []string) (engine.ExecResult, error) {
	f.mu.Lock()
	f.call("Exec")
	c, err := f.container(id)
	if err != nil {
		f.mu.Unlock()
		return engine.ExecResult{}, fmt.Errorf("exec in container %s: %w", id, err)
	}
	if c.State != "running" {
		f.mu.Unlock()
		return engine.ExecResult{}, fmt.Errorf("exec in container %s: container is not running: %w", id, engine.ErrConflict)
	}
	fn, snap := f.onExec, c.snapshot()
	f.mu.Unlock()
	if fn == nil {
		return engine.ExecResult{}, nil
	}
	return fn(snap, cmd)
}
