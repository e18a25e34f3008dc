package engine

import (
	"context"
	"fmt"
)

// Events streams the daemon's events about the project's containers,
// networks and volumes to fn until ctx ends.
func (e *Engine) Events(ctx context.Context, project string, fn func(Event)) error {
	events, errs := e.docker.Events(ctx, Labels{LabelProject: project})
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return nil
			}
			fn(ev)
		case err := <-errs:
			if err != nil && ctx.Err() == nil {
				return fmt.Errorf("events of %s: %w", project, err)
			}
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}
