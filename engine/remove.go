package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// RemoveOptions tune `rm`.
type RemoveOptions struct {
	Services []string
	// Stop stops running containers first; without it only stopped ones
	// go, as in Compose.
	Stop    bool
	Timeout *time.Duration
}

// Removable returns the names of the containers Remove would remove.
func (e *Engine) Removable(ctx context.Context, project string, opts RemoveOptions) ([]string, error) {
	obs, err := e.observe(ctx, project)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, c := range removable(obs, opts) {
		names = append(names, c.Name)
	}
	return names, nil
}

func removable(obs *Observed, opts RemoveOptions) []ObservedContainer {
	return filterContainers(obs.Containers, opts.Services, func(c ObservedContainer) bool {
		return opts.Stop || !c.Running() && c.State != "paused"
	})
}

// Remove removes the project's stopped service containers (with Stop, the
// running ones too, stopped first, dependents before their dependencies).
// Networks and volumes stay: that is `down`.
func (e *Engine) Remove(ctx context.Context, project string, opts RemoveOptions) error {
	unlock, err := e.lock(ctx, project)
	if err != nil {
		return err
	}
	defer unlock()
	obs, err := e.observe(ctx, project)
	if err != nil {
		return err
	}
	return e.inReverseOrder(ctx, removable(obs, opts), func(c ObservedContainer) error {
		if c.State == "paused" {
			if err := e.docker.ContainerUnpause(ctx, c.ID); err != nil && !errors.Is(err, ErrConflict) {
				return fmt.Errorf("unpause %s: %w", c.Name, err)
			}
		}
		return e.removeContainer(ctx, c, opts.Timeout)
	})
}
