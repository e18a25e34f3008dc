package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/distribution/reference"
	"github.com/stack-dev/stack/spec"
)

// Push pushes the images of the given services (nil: all) that have both a
// build section and an image name, each under its image name and its extra
// build tags, each reference once. The image must have been built; naming
// a service that cannot be pushed is an error.
func (e *Engine) Push(ctx context.Context, p *spec.Project, services []string) error {
	names, err := selectServices(p, services)
	if err != nil {
		return err
	}
	refs := map[string][]string{} // ref -> services
	for _, name := range names {
		s := p.Services[name]
		if s.Build == nil || s.Image == "" {
			if len(services) > 0 {
				return fmt.Errorf("service %s cannot be pushed: it needs both build and image", name)
			}
			continue
		}
		for _, ref := range append([]string{s.Image}, s.Build.Tags...) {
			refs[ref] = append(refs[ref], name)
		}
	}
	byImage := map[string][]string{} // image ID -> its refs
	for _, ref := range sortedKeys(refs) {
		img, err := e.docker.ImageInspect(ctx, ref)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("service %s: image %s does not exist locally; build it with `stack build %s`", refs[ref][0], ref, refs[ref][0])
		} else if err != nil {
			return fmt.Errorf("service %s: inspect image %s: %w", refs[ref][0], ref, err)
		}
		byImage[img.ID] = append(byImage[img.ID], ref)
	}
	// The names of one image go one after the other, as `docker push
	// --all-tags` does: pushed at once, they upload the same blobs at once,
	// which a registry may answer with a 500.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(DefaultImageParallel)
	for _, id := range sortedKeys(byImage) {
		g.Go(func() error {
			for _, ref := range byImage[id] {
				if err := e.pushImage(gctx, ref, refs[ref]); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g.Wait()
}

func (e *Engine) pushImage(ctx context.Context, ref string, services []string) error {
	return e.transferImage(ctx, ref, services, imageTransfer{
		phase: PhasePushing, done: PhasePushed, moving: "Pushing", reportErr: true,
		finished: []string{"Pushed", "Layer already exists", "Mounted from"},
		run:      e.docker.ImagePush,
	})
}

// RegistryBuilt are the services (of those given, nil: all) that up builds
// and whose image name has a registry (127.0.0.1:5000/app, not app or
// library/app on Docker Hub): those a deploy to machines without the
// build must find in a registry, so `stack deploy --build` pushes them.
func RegistryBuilt(p *spec.Project, services []string) []string {
	var out []string
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		if (len(services) > 0 && !slices.Contains(services, name)) || s.Build == nil || s.Image == "" {
			continue
		}
		if ref, err := reference.ParseNormalizedNamed(s.Image); err == nil && strings.Contains(s.Image, "/") && reference.Domain(ref) != "docker.io" {
			out = append(out, name)
		}
	}
	return out
}
