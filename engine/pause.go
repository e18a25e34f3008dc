package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Pause freezes the running containers of the project's services (all
// when services is empty).
func (e *Engine) Pause(ctx context.Context, project string, services []string) error {
	return e.eachContainer(ctx, project, services, "running", "pausing", "paused", func(c ObservedContainer) error {
		return e.docker.ContainerPause(ctx, c.ID)
	})
}

// Unpause resumes the paused containers of the project's services.
func (e *Engine) Unpause(ctx context.Context, project string, services []string) error {
	return e.eachContainer(ctx, project, services, "paused", "unpausing", "running", func(c ObservedContainer) error {
		return e.docker.ContainerUnpause(ctx, c.ID)
	})
}

// eachContainer calls fn, in parallel, on every container of the services
// in state, reporting phase while it runs and donePhase once it returned.
func (e *Engine) eachContainer(ctx context.Context, project string, services []string, state, phase, donePhase string, fn func(ObservedContainer) error) error {
	obs, err := e.observe(ctx, project)
	if err != nil {
		return err
	}
	picked := filterContainers(obs.Containers, services, func(c ObservedContainer) bool { return c.State == state })
	return e.inParallel(ctx, picked, func(_ int, c ObservedContainer) error {
		st := Status{Object: c.Name, Service: c.Service, Phase: phase}
		e.emit(st)
		if err := fn(c); err != nil {
			return fmt.Errorf("%s %s: %w", phase, c.Name, err)
		}
		st.Phase, st.Done = donePhase, true
		e.emit(st)
		return nil
	})
}

// inParallel calls fn for each container, at most DefaultParallel at once,
// in no order, and joins their errors.
func (e *Engine) inParallel(ctx context.Context, containers []ObservedContainer, fn func(int, ObservedContainer) error) error {
	errs := make([]error, len(containers))
	var wg sync.WaitGroup
	sem := make(chan struct{}, DefaultParallel)
	for i, c := range containers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-sem }()
			errs[i] = fn(i, c)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
