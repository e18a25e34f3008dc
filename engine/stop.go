package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stack-dev/stack/spec"
)

// StopOptions tune `stop`.
type StopOptions struct {
	Services []string
	// Timeout overrides each container's stop grace period.
	Timeout *time.Duration
	// Kill sends SIGKILL instead of stopping gracefully.
	Kill bool
	// Project, when set, is the stack file: its provider services get
	// their binary's `compose stop` (if it declares one) after the
	// containers, as in Compose.
	Project *spec.Project
}

// Stop stops the project's running containers, dependents first, and keeps
// them for a later `start` or `up`.
func (e *Engine) Stop(ctx context.Context, project string, opts StopOptions) error {
	obs, err := e.observe(ctx, project)
	if err != nil {
		return err
	}
	running := filterContainers(obs.Containers, opts.Services, ObservedContainer.Running)
	err = e.inReverseOrder(ctx, running, func(c ObservedContainer) error {
		st := Status{Object: c.Name, Service: c.Service, Phase: PhaseStopping}
		e.emit(st)
		var err error
		if !opts.Kill {
			// kill runs no hooks, as in Compose.
			if err := e.preStop(ctx, observedTarget(c)); err != nil {
				st.Phase, st.Err, st.Detail, st.Done = PhaseError, err, err.Error(), true
				e.emit(st)
				return err
			}
		}
		if opts.Kill {
			err = e.docker.ContainerKill(ctx, c.ID, "KILL")
		} else {
			err = e.docker.ContainerStop(ctx, c.ID, opts.Timeout)
		}
		// Not found or (for a kill) not running: it stopped meanwhile.
		if err != nil && !errors.Is(err, ErrNotFound) && !(opts.Kill && errors.Is(err, ErrConflict)) {
			return fmt.Errorf("stop %s: %w", c.Name, err)
		}
		st.Phase, st.Done = PhaseStopped, true
		e.emit(st)
		return nil
	})
	if err != nil || opts.Kill {
		return err
	}
	return e.stopProviders(ctx, opts.Project, opts.Services)
}
