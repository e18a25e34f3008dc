package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stack-dev/stack/spec"
)

// UpOptions tune `up`.
type UpOptions struct {
	Plan PlanOptions
	// Images says when to build and pull.
	Images ImageOptions
	// Parallel bounds concurrent container operations (DefaultParallel).
	Parallel int
	// DryRun plans without touching anything.
	DryRun bool
	// RemoveOrphans removes containers of services no longer in the stack.
	RemoveOrphans bool
	// Wait blocks until every service is running (healthy where it has a
	// healthcheck) and every job completed, for at most WaitTimeout.
	Wait        bool
	WaitTimeout time.Duration
	// DependencyTimeout bounds each wait for a depends_on condition.
	DependencyTimeout time.Duration
	// StopTimeout overrides each service's stop_grace_period for the
	// containers up stops (recreate, scale down).
	StopTimeout *time.Duration
	// RenewAnonVolumes gives recreated containers new anonymous volumes
	// instead of keeping their predecessors' (up -V).
	RenewAnonVolumes bool
}

// Up converges the project to p: it observes what exists, plans, and
// applies the plan. It returns the plan it carried out.
func (e *Engine) Up(ctx context.Context, p *spec.Project, opts UpOptions) (*Plan, error) {
	unlock, err := e.lock(ctx, p.Name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	named := len(opts.Plan.Services) > 0
	if p, opts.Plan.Services, err = e.upProviders(ctx, p, opts.Plan.Services, opts.DryRun); err != nil {
		return nil, err
	}
	if named && len(opts.Plan.Services) == 0 {
		return &Plan{Project: p.Name}, nil // only provider services named
	}
	var plan *Plan
	if opts.DryRun {
		// Nothing may change, so no build or pull: plan against the images
		// there are.
		plan, err = e.plan(ctx, p, opts.Plan, e.resolveImageIDs)
		return plan, err
	}
	plan, err = e.plan(ctx, p, opts.Plan, func(ctx context.Context, p *spec.Project, services []string) (map[string]string, error) {
		return e.EnsureImages(ctx, p, services, opts.Images)
	})
	if err != nil {
		return plan, err
	}
	for _, c := range plan.Orphans {
		if !opts.RemoveOrphans {
			e.emit(Status{Object: c.Name, Service: c.Service, Phase: PhaseWarning,
				Detail: "orphan container (service " + c.Service + " is not in the stack); use --remove-orphans to remove it"})
		}
	}
	if opts.RemoveOrphans {
		if err := e.removeContainers(ctx, plan.Orphans, opts.StopTimeout); err != nil {
			return plan, err
		}
	}
	err = e.apply(ctx, p, plan, applyOptions{
		Parallel:          opts.Parallel,
		DependencyTimeout: opts.DependencyTimeout,
		StopTimeout:       opts.StopTimeout,
		RenewAnonVolumes:  opts.RenewAnonVolumes,
	})
	if err != nil {
		return plan, err
	}
	if opts.Wait {
		return plan, e.waitReady(ctx, p, plan, opts.WaitTimeout)
	}
	return plan, nil
}

// Plan returns what Up would do, touching nothing.
func (e *Engine) Plan(ctx context.Context, p *spec.Project, opts PlanOptions) (*Plan, error) {
	named := len(opts.Services) > 0
	var err error
	if p, opts.Services, err = e.upProviders(ctx, p, opts.Services, true); err != nil {
		return nil, err
	}
	if named && len(opts.Services) == 0 {
		return &Plan{Project: p.Name}, nil
	}
	return e.plan(ctx, p, opts, e.resolveImageIDs)
}

// imageResolver maps services to the IDs of their images.
type imageResolver func(ctx context.Context, p *spec.Project, services []string) (map[string]string, error)

func (e *Engine) plan(ctx context.Context, p *spec.Project, opts PlanOptions, resolve imageResolver) (*Plan, error) {
	obs, err := e.observe(ctx, p.Name)
	if err != nil {
		return nil, err
	}
	services := opts.Services
	if len(services) == 0 {
		services = p.ServiceNames()
	} else if services, err = p.Closure(services); err != nil {
		return nil, err
	}
	if err := e.checkExternalResources(ctx, p, services); err != nil {
		return nil, err
	}
	if err := e.checkEngineSupport(ctx, p, services); err != nil {
		return nil, err
	}
	if err := e.checkBuilds(ctx, p, services); err != nil {
		return nil, err
	}
	images, err := resolve(ctx, p, services)
	if err != nil {
		return nil, err
	}
	return PlanUp(p, obs, images, opts)
}

// resolveImageIDs maps each service to the ID of its local image, building
// and pulling nothing. A missing image, and one that up would rebuild
// because its build context or config changed, plan as a change of image.
func (e *Engine) resolveImageIDs(ctx context.Context, p *spec.Project, services []string) (map[string]string, error) {
	ids := map[string]string{}
	for _, name := range services {
		s := p.Services[name]
		ref := ImageName(p, s)
		img, err := e.docker.ImageInspect(ctx, ref)
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				ids[name] = "missing:" + ref
				continue
			}
			return nil, fmt.Errorf("service %s: inspect image %s: %w", name, ref, err)
		}
		ids[name] = img.ID
		if action, err := decideImage(s, ImageOptions{}); err == nil && action == imageBuild {
			stale, err := e.buildChanged(ctx, p, s, ref)
			if err != nil {
				return nil, fmt.Errorf("service %s: %w", name, err)
			}
			if stale {
				ids[name] = "rebuild:" + ref
			}
		}
	}
	return ids, nil
}

// Image states ImageFreshness reports.
const (
	ImageUpToDate = "up to date" // built from the build context and config as they are now
	ImageStale    = "stale"      // they changed since: up would rebuild it
	ImageMissing  = "missing"    // no local image has its name
	ImageNotBuilt = ""           // not built by up (pulled, or no build section)
)

// ImageFreshness tells whether up would rebuild service's image because its
// build context or config changed since it was built (the hash plan uses,
// LabelBuildHash), or that it is missing; ImageNotBuilt for an image up
// does not build.
func (e *Engine) ImageFreshness(ctx context.Context, p *spec.Project, service string) (string, error) {
	s := p.Services[service]
	if s == nil {
		return "", fmt.Errorf("no such service: %s", service)
	}
	if action, err := decideImage(s, ImageOptions{}); err != nil || action != imageBuild {
		return ImageNotBuilt, nil
	}
	ref := ImageName(p, s)
	if _, err := e.docker.ImageInspect(ctx, ref); err != nil {
		if errors.Is(err, ErrNotFound) {
			return ImageMissing, nil
		}
		return "", fmt.Errorf("service %s: inspect image %s: %w", service, ref, err)
	}
	stale, err := e.buildChanged(ctx, p, s, ref)
	if err != nil {
		return "", fmt.Errorf("service %s: %w", service, err)
	}
	if stale {
		return ImageStale, nil
	}
	return ImageUpToDate, nil
}

// buildChanged tells whether up would rebuild ref: the hash of the build
// context and config differs from the one the image was built from.
func (e *Engine) buildChanged(ctx context.Context, p *spec.Project, s *spec.Service, ref string) (bool, error) {
	_, _, hash, err := e.prepareBuild(ctx, p, s.Build, buildPlatform(s))
	if err != nil {
		return false, err
	}
	return !e.builtFrom(ctx, []string{ref}, hash), nil
}

// waitReady waits until every service of the plan is running (healthy where
// it has a healthcheck) and every job has completed with 0.
func (e *Engine) waitReady(ctx context.Context, p *spec.Project, plan *Plan, timeout time.Duration) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	obs, err := e.observe(ctx, p.Name)
	if err != nil {
		return err
	}
	w := newWatcher(ctx, e.docker, p.Name)
	jobs := jobServices(p)
	errs := make(chan error, len(obs.Containers))
	count := 0
	for _, sp := range plan.Services {
		s := p.Services[sp.Service]
		for _, c := range obs.ServiceContainers(sp.Service) {
			count++
			go func(c ObservedContainer) {
				var err error
				phase := PhaseRunning
				switch {
				case jobs[s.Name]:
					phase = PhaseExited
					err = w.wait(ctx, c.ID, completed)
				case s.Healthcheck != nil && !s.Healthcheck.Disable:
					phase = PhaseHealthy
					err = e.waitHealthy(ctx, w, s, c.ID)
				case restartOrNo(s.Restart) == "no":
					// A one-shot nobody waits on: done once it runs, or
					// once it exited 0 if that came first, so the result
					// does not hang on how fast it was (Compose fails it).
					var exited bool
					err = w.wait(ctx, c.ID, func(st watchState) error {
						exited = st.Exited
						return runningOrSucceeded(st)
					})
					if exited {
						phase = PhaseExited
					}
				default:
					err = w.wait(ctx, c.ID, running)
				}
				if err != nil {
					if errors.Is(err, context.DeadlineExceeded) {
						err = fmt.Errorf("not ready after %s", timeout)
					}
					err = fmt.Errorf("%s: %w", c.Name, err)
				} else {
					e.emit(Status{Object: c.Name, Service: c.Service, Phase: phase, Done: true})
				}
				errs <- err
			}(c)
		}
	}
	var all []error
	for i := 0; i < count; i++ {
		if err := <-errs; err != nil {
			all = append(all, err)
		}
	}
	if len(all) == 0 {
		// A one-shot nobody waits on counted once it ran; one that failed
		// while the others got ready fails the wait after all, so the
		// result depends less on how fast it failed.
		for _, sp := range plan.Services {
			s := p.Services[sp.Service]
			if jobs[s.Name] || restartOrNo(s.Restart) != "no" || (s.Healthcheck != nil && !s.Healthcheck.Disable) {
				continue
			}
			for _, c := range obs.ServiceContainers(sp.Service) {
				st, err := e.docker.ContainerInspect(ctx, c.ID)
				if err == nil && !st.Running && st.ExitCode != 0 {
					all = append(all, fmt.Errorf("%s: exited with code %d", c.Name, st.ExitCode))
				}
			}
		}
	}
	if err := errors.Join(all...); err != nil {
		return fmt.Errorf("wait: %w", err)
	}
	return nil
}

// runningOrSucceeded accepts a container that runs or ran and exited 0.
func runningOrSucceeded(st watchState) error {
	if st.Exited && st.ExitCode == 0 {
		return nil
	}
	return running(st)
}

func running(st watchState) error {
	switch {
	case st.Running:
		return nil
	case st.Exited:
		return fmt.Errorf("exited with code %d", st.ExitCode)
	}
	return errStillWaiting
}

// checkExternalResources makes sure the external networks and volumes that
// services use exist. stack never creates them, and finding out at the
// first container start would leave the stack half up; an external volume
// would even be created, unlabelled, by the daemon.
func (e *Engine) checkExternalResources(ctx context.Context, p *spec.Project, services []string) error {
	nets, vols := map[string]string{}, map[string]string{} // engine name -> key in the stack
	for _, name := range services {
		s := p.Services[name]
		for _, key := range serviceNetworkKeys(s) {
			if n := p.Networks[key]; n != nil && n.External {
				nets[n.Name] = key
			}
		}
		for _, m := range s.Volumes {
			if v := p.Volumes[m.Source]; m.Type == spec.MountVolume && v != nil && v.External {
				vols[v.Name] = m.Source
			}
		}
	}
	var missing []error // all of them, so one run says what to create
	if len(nets) > 0 {
		all, err := e.docker.NetworkList(ctx, nil)
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for _, n := range all {
			have[n.Name] = true
		}
		for _, name := range sortedKeys(nets) {
			if !have[name] {
				missing = append(missing, fmt.Errorf("external network %s (network %q of the stack) not found; create it first, e.g. `docker network create %s`", name, nets[name], name))
			}
		}
	}
	for _, name := range sortedKeys(vols) {
		if _, err := e.docker.VolumeInspect(ctx, name); errors.Is(err, ErrNotFound) {
			missing = append(missing, fmt.Errorf("external volume %s (volume %q of the stack) not found; create it first, e.g. `docker volume create %s`", name, vols[name], name))
		} else if err != nil {
			return fmt.Errorf("inspect external volume %s: %w", name, err)
		}
	}
	return errors.Join(missing...)
}
