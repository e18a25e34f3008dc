package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/stack-dev/stack/spec"
)

// DefaultImageParallel bounds concurrent builds and pulls: both are heavy on
// the daemon and the network, so fewer run at once than container operations.
const DefaultImageParallel = 4

// Pull policies (spec.Service.PullPolicy and ImageOptions.Pull).
const (
	PullMissing = "missing"
	PullAlways  = "always"
	PullNever   = "never"
	PullBuild   = "build"
)

// ImageOptions steer EnsureImages, Build and Pull.
type ImageOptions struct {
	// Build rebuilds images even when their context and config are unchanged.
	Build bool
	// NoCache builds without the builder's cache.
	NoCache bool
	// Pull overrides each service's pull_policy: "always", "missing",
	// "never"; "" keeps the service's own.
	Pull string
	// Parallel bounds concurrent builds and pulls (DefaultImageParallel).
	Parallel int
	// IgnorePullFailures makes a failed pull a warning (`pull
	// --ignore-pull-failures`): the other images are still pulled.
	IgnorePullFailures bool
	// PullParent has builds pull newer base images first (`build --pull`).
	PullParent bool
}

func (o ImageOptions) parallel() int {
	if o.Parallel > 0 {
		return o.Parallel
	}
	return DefaultImageParallel
}

// imageAction is what EnsureImages does for one service.
type imageAction int

const (
	// imageUseLocal: the image must already exist (pull_policy never).
	imageUseLocal imageAction = iota
	// imagePullMissing: pull only when no local image has the name.
	imagePullMissing
	// imagePull: always pull.
	imagePull
	// imagePullElseBuild: pull, and build if the pull fails.
	imagePullElseBuild
	// imageBuild: build, skipped when the context and config are unchanged.
	imageBuild
	// imagePullStale: pull when no local image has the name or it was
	// pulled longer ago than the service's refresh interval.
	imagePullStale
)

// decideImage applies the pull policy to a service. A service with a build
// section is built, skipped when unchanged; only pull_policy always with an
// image name pulls it first. A service without one is pulled as its policy
// says.
func decideImage(s *spec.Service, opts ImageOptions) (imageAction, error) {
	policy := s.PullPolicy
	if opts.Pull != "" && policy != PullBuild {
		policy = opts.Pull
	}
	svc := *s
	svc.PullPolicy = policy
	_, timed, err := svc.RefreshInterval()
	if err != nil {
		return 0, fmt.Errorf("service %s: %w", s.Name, err)
	}
	switch {
	case timed:
		if s.Build != nil {
			return imageBuild, nil
		}
		return imagePullStale, nil
	case policy == "", policy == PullMissing, policy == "if_not_present", policy == PullAlways, policy == PullNever, policy == PullBuild:
	default:
		return 0, fmt.Errorf("service %s: unknown pull_policy %q (want missing, always, never or build)", s.Name, policy)
	}
	if s.Build != nil {
		if policy == PullAlways && s.Image != "" && !opts.Build {
			return imagePullElseBuild, nil
		}
		return imageBuild, nil
	}
	switch policy {
	case PullBuild:
		return 0, fmt.Errorf("service %s: pull_policy build needs a build section", s.Name)
	case PullAlways:
		return imagePull, nil
	case PullNever:
		return imageUseLocal, nil
	}
	return imagePullMissing, nil
}

// EnsureImages makes sure every given service (nil: all) has its image,
// building and pulling as the services' policies and opts say, and returns
// each service's image ID. Builds and pulls run in parallel, bounded by
// opts.Parallel. It creates no containers, networks or volumes.
func (e *Engine) EnsureImages(ctx context.Context, p *spec.Project, services []string, opts ImageOptions) (map[string]string, error) {
	names, err := selectServices(p, services)
	if err != nil {
		return nil, err
	}
	// A service whose image another service builds waits for that build
	// instead of pulling: the builder is built even when not selected.
	builtBy := imageBuilders(p)
	builders := buildersOf(p, names, builtBy)
	if err := e.checkBuilds(ctx, p, append(slices.Clone(names), builders...)); err != nil {
		return nil, err
	}
	var (
		builds = builders
		pulls  = map[string][]string{} // ref -> services
		orElse = map[string]bool{}     // services built when their pull fails
		// local holds images found and left alone, so a stack of many
		// services on one image inspects it once.
		local = map[string]Image{}
	)
	for _, name := range names {
		s := p.Services[name]
		action, err := decideImage(s, opts)
		if err != nil {
			return nil, err
		}
		ref := ImageName(p, s)
		if builder, ok := builtBy[normalImageRef(ref)]; ok && s.Build == nil && builder != name {
			continue
		}
		switch action {
		case imageBuild:
			builds = append(builds, name)
		case imagePull:
			pulls[ref] = append(pulls[ref], name)
		case imagePullElseBuild:
			pulls[ref] = append(pulls[ref], name)
			orElse[name] = true
		case imagePullMissing, imagePullStale:
			if _, ok := local[ref]; ok {
				continue
			}
			if _, pulling := pulls[ref]; pulling {
				pulls[ref] = append(pulls[ref], name)
				continue
			}
			img, err := e.docker.ImageInspect(ctx, ref)
			switch {
			case errors.Is(err, ErrNotFound):
				pulls[ref] = append(pulls[ref], name)
			case err != nil:
				return nil, fmt.Errorf("service %s: inspect image %s: %w", name, ref, err)
			case action == imagePullStale && stale(s, img):
				pulls[ref] = append(pulls[ref], name)
			default:
				local[ref] = img
			}
		}
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.parallel())
	for _, ref := range sortedKeys(pulls) {
		g.Go(func() error {
			var fallback []string
			for _, name := range pulls[ref] {
				if orElse[name] {
					fallback = append(fallback, name)
				}
			}
			canBuild := len(fallback) == len(pulls[ref])
			// Where a failed pull builds instead, the build's statuses
			// follow on the image's row rather than an error.
			err := e.pullImage(gctx, ref, pulls[ref], !canBuild)
			if err == nil || gctx.Err() != nil || !canBuild {
				return err
			}
			e.log.Debug("pull failed, building instead: " + err.Error())
			return e.buildServices(gctx, p, fallback, opts, 1)
		})
	}
	if len(builds) > 0 {
		// All builds take one slot of the pool and run opts.Parallel at a
		// time inside it, so a stack of only builds is not serialized.
		g.Go(func() error { return e.buildServices(gctx, p, builds, opts, opts.parallel()) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return e.imageIDs(ctx, p, names, opts, local)
}

// imageIDs maps each service to the ID of its local image.
// known holds images already inspected and unchanged since; each other ref
// is inspected once.
func (e *Engine) imageIDs(ctx context.Context, p *spec.Project, names []string, opts ImageOptions, known map[string]Image) (map[string]string, error) {
	ids := make(map[string]string, len(names))
	var errs []error
	for _, name := range names {
		s := p.Services[name]
		ref := ImageName(p, s)
		img, ok := known[ref]
		var err error
		if !ok {
			img, err = e.docker.ImageInspect(ctx, ref)
			if err == nil {
				known[ref] = img
			}
		}
		switch {
		case errors.Is(err, ErrNotFound) && isUseLocal(s, opts):
			errs = append(errs, fmt.Errorf("service %s: image %s does not exist locally and pull_policy is never; pull it with `stack pull %s`", name, ref, name))
		case err != nil:
			errs = append(errs, fmt.Errorf("service %s: inspect image %s: %w", name, ref, err))
		default:
			ids[name] = img.ID
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return ids, nil
}

// selectServices returns the named services, sorted, or all of them; an
// unknown name is an error.
func selectServices(p *spec.Project, services []string) ([]string, error) {
	names, err := selectAllServices(p, services)
	return withoutProviderNames(p, names), err // a provider service has no image
}

func selectAllServices(p *spec.Project, services []string) ([]string, error) {
	if len(services) == 0 {
		return p.ServiceNames(), nil
	}
	var unknown []string
	seen := map[string]bool{}
	var names []string
	for _, name := range services {
		if _, ok := p.Services[name]; !ok {
			unknown = append(unknown, name)
			continue
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("no such service: %s", strings.Join(unknown, ", "))
	}
	sort.Strings(names)
	return names, nil
}

func isUseLocal(s *spec.Service, opts ImageOptions) bool {
	action, err := decideImage(s, opts)
	return err == nil && action == imageUseLocal
}

// ImageUser returns the default user of a local image, for checks that
// warn about containers running as root. known is false when the image is
// not there or the daemon does not answer.
func (e *Engine) ImageUser(ctx context.Context, ref string) (user string, known bool) {
	img, err := e.docker.ImageInspect(ctx, ref)
	if err != nil {
		return "", false
	}
	return img.User, true
}

// stale reports whether a local image is older than the refresh interval
// of a service with a time-based pull policy.
func stale(s *spec.Service, img Image) bool {
	interval, _, _ := s.RefreshInterval() // decideImage checked it
	return img.LastTagTime.IsZero() || time.Since(img.LastTagTime) >= interval
}
