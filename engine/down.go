package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/stack-dev/stack/spec"
)

// DownOptions tune `down`.
type DownOptions struct {
	// Volumes also removes the project's named volumes.
	Volumes bool
	// Timeout overrides each container's stop grace period.
	Timeout *time.Duration
	// Services limits which services' containers go; networks and volumes
	// are then kept. Empty means the whole project.
	Services []string
	// Known, when set, are the services of the stack file: containers of
	// other services (orphans) are kept, with a warning, unless
	// RemoveOrphans. Without a stack file every container goes.
	Known         map[string]bool
	RemoveOrphans bool
	// Project, when set, is the stack file: its provider services get
	// their binary's `compose down` once the containers are gone.
	Project *spec.Project
}

// networkRemoveRetry is how long network removal keeps trying: right after a
// concurrent teardown this engine version can still report "has active
// endpoints" for a moment.
const networkRemoveRetry = 10 * time.Second

// Down stops and removes the project's containers in reverse dependency
// order (dependents before what they depend on), then its networks, and with
// Volumes its named volumes. It needs no stack file: everything it needs is
// in the labels.
func (e *Engine) Down(ctx context.Context, project string, opts DownOptions) error {
	unlock, err := e.lock(ctx, project)
	if err != nil {
		return err
	}
	defer unlock()
	obs, err := e.observe(ctx, project)
	if err != nil {
		return err
	}
	orphans := 0
	containers := filterContainers(obs.Containers, opts.Services, func(c ObservedContainer) bool {
		if opts.Known == nil || opts.Known[c.Service] || opts.RemoveOrphans {
			return true
		}
		orphans++
		e.emit(Status{Object: c.Name, Service: c.Service, Phase: PhaseWarning, Done: true,
			Detail: "orphan container kept (service " + c.Service + " is not in the stack); use --remove-orphans to remove it"})
		return false
	})
	if err := e.removeContainers(ctx, containers, opts.Timeout); err != nil {
		return err
	}
	// One-off containers (`stack run`) and kept hook containers go too.
	for _, c := range append(obs.Oneoffs, obs.Hooks...) {
		if err := e.docker.ContainerRemove(ctx, c.ID, true); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("remove %s: %w", c.Name, err)
		}
	}
	if err := e.downProviders(ctx, opts.Project, opts.Services); err != nil {
		return err
	}
	if len(opts.Services) > 0 {
		return nil
	}
	var errs []error
	for _, name := range sortedKeys(obs.Networks) {
		if orphans > 0 {
			// Kept orphans may still use it: try once, and say so.
			if err := e.docker.NetworkRemove(ctx, obs.Networks[name].ID); err != nil && !errors.Is(err, ErrNotFound) {
				e.emit(Status{Object: "network " + name, Phase: PhaseWarning, Done: true, Detail: "kept: still used by orphan containers"})
			}
			continue
		}
		if err := e.removeNetwork(ctx, obs.Networks[name]); err != nil {
			errs = append(errs, err)
		}
	}
	if opts.Volumes {
		for _, name := range sortedKeys(obs.Volumes) {
			e.emit(Status{Object: "volume " + name, Phase: PhaseRemoving})
			if err := e.docker.VolumeRemove(ctx, name); err != nil && !errors.Is(err, ErrNotFound) {
				errs = append(errs, fmt.Errorf("remove volume %s: %w", name, err))
				continue
			}
			e.emit(Status{Object: "volume " + name, Phase: PhaseRemoved, Done: true})
		}
	}
	return errors.Join(errs...)
}

func (e *Engine) removeNetwork(ctx context.Context, n Network) error {
	obj := "network " + n.Name
	e.emit(Status{Object: obj, Phase: PhaseRemoving})
	deadline := time.Now().Add(networkRemoveRetry)
	for {
		err := e.docker.NetworkRemove(ctx, n.ID)
		if err == nil || errors.Is(err, ErrNotFound) {
			e.emit(Status{Object: obj, Phase: PhaseRemoved, Done: true})
			return nil
		}
		if !strings.Contains(err.Error(), "active endpoints") || time.Now().After(deadline) {
			err = fmt.Errorf("remove network %s: %w", n.Name, err)
			if strings.Contains(err.Error(), "active endpoints") {
				// Docker 20.10 can keep a stale endpoint after concurrent
				// teardown; only a daemon restart clears it.
				err = fmt.Errorf("%w\nhint: if `docker network inspect %s` lists no containers, the engine kept a stale endpoint; restarting the Docker daemon clears it", err, n.Name)
			}
			e.emit(Status{Object: obj, Phase: PhaseError, Err: err, Done: true})
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// removeContainers stops and removes containers, dependents first.
func (e *Engine) removeContainers(ctx context.Context, containers []ObservedContainer, timeout *time.Duration) error {
	return e.inReverseOrder(ctx, containers, func(c ObservedContainer) error {
		return e.removeContainer(ctx, c, timeout)
	})
}

// inReverseOrder calls fn for each container, for a service only after it
// returned for every service that depends on it: the order of teardown.
func (e *Engine) inReverseOrder(ctx context.Context, containers []ObservedContainer, fn func(ObservedContainer) error) error {
	return walkContainers(ctx, containers, true, fn)
}

// inOrder calls fn for each container, for a service only after it returned
// for every service it depends on: the order of start-up.
func (e *Engine) inOrder(ctx context.Context, containers []ObservedContainer, fn func(ObservedContainer) error) error {
	return walkContainers(ctx, containers, false, fn)
}

// walkContainers calls fn for each container in dependency order, read from
// the depends_on labels (so no stack file is needed), or in reverse. The
// containers of one service and of independent services run in parallel.
func walkContainers(ctx context.Context, containers []ObservedContainer, reverse bool, fn func(ObservedContainer) error) error {
	byService := map[string][]ObservedContainer{}
	deps := map[string][]string{}
	for _, c := range containers {
		byService[c.Service] = append(byService[c.Service], c)
		deps[c.Service] = parseDependsOnLabel(c.Labels[LabelComposeDepsOn])
	}
	// before[s] are the services whose containers must be done before s.
	before := map[string][]string{}
	for s, ds := range deps {
		for _, d := range ds {
			if _, ok := byService[d]; !ok || d == s {
				continue
			}
			if reverse {
				before[d] = append(before[d], s)
			} else {
				before[s] = append(before[s], d)
			}
		}
	}
	done := map[string]chan struct{}{}
	for s := range byService {
		done[s] = make(chan struct{})
	}
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	sem := make(chan struct{}, DefaultParallel)
	for _, s := range sortedKeys(byService) {
		wg.Add(1)
		go func(s string) {
			defer wg.Done()
			defer close(done[s])
			for _, d := range before[s] {
				select {
				case <-done[d]:
				case <-ctx.Done():
					return
				}
			}
			var inner sync.WaitGroup
			for _, c := range byService[s] {
				inner.Add(1)
				go func(c ObservedContainer) {
					defer inner.Done()
					sem <- struct{}{}
					defer func() { <-sem }()
					if err := fn(c); err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
					}
				}(c)
			}
			inner.Wait()
		}(s)
	}
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errors.Join(errs...)
}

func (e *Engine) removeContainer(ctx context.Context, c ObservedContainer, timeout *time.Duration) error {
	st := Status{Object: c.Name, Service: c.Service}
	if c.Running() {
		st.Phase = PhaseStopping
		e.emit(st)
		if err := e.preStop(ctx, observedTarget(c)); err != nil {
			st.Phase, st.Err, st.Detail, st.Done = PhaseError, err, err.Error(), true
			e.emit(st)
			return err
		}
		if err := e.docker.ContainerStop(ctx, c.ID, timeout); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("stop %s: %w", c.Name, err)
		}
		st.Phase = PhaseStopped
		e.emit(st)
	}
	st.Phase = PhaseRemoving
	e.emit(st)
	if err := e.removeForGood(ctx, c.Container); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("remove %s: %w", c.Name, err)
	}
	st.Phase, st.Done = PhaseRemoved, true
	e.emit(st)
	return nil
}
