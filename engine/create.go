package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stack-dev/stack/spec"
)

// CreateOptions tune `create`.
type CreateOptions struct {
	Plan   PlanOptions
	Images ImageOptions
}

// Create does what `up` would, but starts nothing: it builds or pulls the
// images, creates networks and volumes, creates the missing containers,
// replaces those whose configuration changed with created ones, and
// removes surplus replicas. A later `up` or `start` starts them.
func (e *Engine) Create(ctx context.Context, p *spec.Project, opts CreateOptions) (*Plan, error) {
	unlock, err := e.lock(ctx, p.Name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	plan, err := e.plan(ctx, p, opts.Plan, func(ctx context.Context, p *spec.Project, services []string) (map[string]string, error) {
		return e.EnsureImages(ctx, p, services, opts.Images)
	})
	if err != nil {
		return plan, err
	}
	if err := e.createResources(ctx, plan, nil); err != nil {
		return plan, err
	}
	var actions []ContainerAction
	for _, sp := range plan.Services {
		actions = append(actions, sp.Actions...)
	}
	errs := make([]error, len(actions))
	sem := make(chan struct{}, DefaultParallel)
	done := make(chan int, len(actions))
	for i, a := range actions {
		go func() {
			sem <- struct{}{}
			defer func() { <-sem; done <- i }()
			errs[i] = e.createAction(ctx, p, a)
		}()
	}
	for range actions {
		<-done
	}
	for _, err := range errs {
		if err != nil {
			return plan, err
		}
	}
	return plan, nil
}

func (e *Engine) createAction(ctx context.Context, p *spec.Project, a ContainerAction) error {
	var timeout *time.Duration
	if s := p.Services[a.Service]; s != nil {
		timeout = stopTimeout(nil, s)
	}
	switch a.Kind {
	case ActRemove:
		return e.removeContainer(ctx, *a.Existing, timeout)
	case ActRecreate:
		// The new container takes over the old one's anonymous volumes,
		// so the old one steps aside rather than go first.
		next, err := e.inheritVolumes(ctx, a.Existing.ID, a.Spec)
		if err != nil {
			return fmt.Errorf("anonymous volumes of %s: %w", a.Name, err)
		}
		if next.Labels[LabelInheritedVolumes] == "" {
			if err := e.removeContainer(ctx, *a.Existing, timeout); err != nil {
				return err
			}
			break
		}
		if err := e.docker.ContainerStop(ctx, a.Existing.ID, timeout); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("stop %s: %w", a.Name, err)
		}
		if err := e.docker.ContainerRename(ctx, a.Existing.ID, shortID(a.Existing.ID)+"_"+a.Name); err != nil {
			return fmt.Errorf("rename %s: %w", a.Name, err)
		}
		e.emit(Status{Object: a.Name, Service: a.Service, Phase: PhaseCreating})
		if _, err := e.docker.ContainerCreate(ctx, next); err != nil {
			return fmt.Errorf("create %s: %w", a.Name, err)
		}
		if err := e.removeForGood(ctx, a.Existing.Container); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("remove old %s: %w", a.Name, err)
		}
		e.emit(Status{Object: a.Name, Service: a.Service, Phase: PhaseCreated, Done: true})
		return nil
	}
	switch a.Kind {
	case ActRecreate, ActCreate:
		e.emit(Status{Object: a.Name, Service: a.Service, Phase: PhaseCreating})
		if _, err := e.docker.ContainerCreate(ctx, a.Spec); err != nil {
			return fmt.Errorf("create %s: %w", a.Name, err)
		}
		e.emit(Status{Object: a.Name, Service: a.Service, Phase: PhaseCreated, Done: true})
	}
	return nil
}
