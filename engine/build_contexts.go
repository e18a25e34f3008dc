package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/distribution/reference"
	"go.uber.org/zap"

	"github.com/stack-dev/stack/spec"
)

// labelBuildContext marks the short-lived images stack builds from an
// additional context folder; they are removed once the build that uses
// them is done.
const labelBuildContext = "dev.stack.build-context"

// resolvedContext is one additional build context, with what its content
// is known by for the build hash.
type resolvedContext struct {
	Name   string
	Dir    string // a folder, built into a context image
	Image  string // an image: docker-image://ref or the image of service:NAME
	Digest string
}

// resolveContexts reads a build's additional contexts, sorted by name.
func (e *Engine) resolveContexts(ctx context.Context, p *spec.Project, b *spec.Build) ([]resolvedContext, error) {
	var out []resolvedContext
	for _, name := range sortedKeys(b.AdditionalContexts) {
		src := b.AdditionalContexts[name]
		rc := resolvedContext{Name: name}
		switch {
		case strings.HasPrefix(src, "docker-image://"):
			rc.Image = strings.TrimPrefix(src, "docker-image://")
			rc.Digest = rc.Image
			if img, err := e.docker.ImageInspect(ctx, rc.Image); err == nil {
				rc.Digest = img.ID
			}
		case strings.HasPrefix(src, "service:"):
			other := p.Services[strings.TrimPrefix(src, "service:")]
			if other == nil {
				return nil, fmt.Errorf("additional context %s: no service %s", name, strings.TrimPrefix(src, "service:"))
			}
			rc.Image = ImageName(p, other)
			img, err := e.docker.ImageInspect(ctx, rc.Image)
			switch {
			case errors.Is(err, ErrNotFound):
				// Not built yet (a dry run plans before building).
				rc.Digest = "missing:" + rc.Image
			case err != nil:
				return nil, fmt.Errorf("additional context %s: image %s of service %s: %w", name, rc.Image, other.Name, err)
			default:
				rc.Digest = img.ID
			}
		default:
			bc, err := openInlineContext(src)
			if err != nil {
				return nil, fmt.Errorf("additional context %s: %w", name, err)
			}
			rc.Dir = bc.Dir
			if rc.Digest, err = bc.Digest(); err != nil {
				return nil, fmt.Errorf("additional context %s: %w", name, err)
			}
		}
		out = append(out, rc)
	}
	return out, nil
}

// contextFolderDockerfile makes an image of a folder as it is, the way a
// named context of a folder reads.
const contextFolderDockerfile = "FROM scratch\nCOPY . /\n"

// contextStages builds an image of each folder context and returns the
// stages that give every context to the Dockerfile; cleanup removes the
// folder images.
func (e *Engine) contextStages(ctx context.Context, g *buildGroup, contexts []resolvedContext, hash string) ([]contextStage, func(), error) {
	var built []string
	cleanup := func() {
		for _, tag := range built {
			// The build is over, whatever became of it; so is ctx maybe.
			if err := e.docker.ImageRemove(context.WithoutCancel(ctx), tag); err != nil {
				e.log.Debug("remove build context image", zap.String("image", tag), zap.Error(err))
			}
		}
	}
	var stages []contextStage
	for _, c := range contexts {
		if c.Image != "" {
			stages = append(stages, contextStage{Name: c.Name, Image: c.Image})
			continue
		}
		sum := sha256.Sum256([]byte(c.Name))
		tag := "stack-context-" + hash[:12] + "-" + hex.EncodeToString(sum[:])[:8] + ":latest"
		bc, err := openInlineContext(c.Dir)
		if err != nil {
			return nil, cleanup, err
		}
		tar, err := bc.Tar()
		if err != nil {
			return nil, cleanup, err
		}
		name := generatedDockerfileName([]byte(contextFolderDockerfile))
		tar = withDockerfile(tar, name, []byte(contextFolderDockerfile))
		labels := maps.Clone(g.Build.Labels)
		if labels == nil {
			labels = map[string]string{}
		}
		labels[labelBuildContext] = c.Name
		_, err = e.docker.ImageBuild(ctx, tar, BuildSpec{Tags: []string{tag}, Dockerfile: name, Labels: labels,
			Local: &LocalContext{Dir: bc.Dir, Excludes: bc.Excludes, Dockerfile: []byte(contextFolderDockerfile)}}, nil)
		tar.Close()
		if err != nil {
			return nil, cleanup, fmt.Errorf("additional context %s (%s): %w", c.Name, c.Dir, err)
		}
		built = append(built, tag)
		stages = append(stages, contextStage{Name: c.Name, Image: tag})
	}
	return stages, cleanup, nil
}

// contextServices are the services whose images a build uses as
// additional contexts (service:NAME), sorted.
func contextServices(b *spec.Build) []string {
	var out []string
	for _, src := range b.AdditionalContexts {
		if name, ok := strings.CutPrefix(src, "service:"); ok && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// withContextServices adds to names the services their builds use as
// contexts, and theirs in turn, sorted.
func withContextServices(p *spec.Project, names []string) []string {
	seen := map[string]bool{}
	var out []string
	var add func(name string)
	add = func(name string) {
		s := p.Services[name]
		if seen[name] || s == nil || s.Build == nil {
			return
		}
		seen[name] = true
		out = append(out, name)
		for _, dep := range contextServices(s.Build) {
			add(dep)
		}
	}
	for _, name := range names {
		add(name)
	}
	slices.Sort(out)
	return out
}

// orderBuilds puts every group after the groups whose images it uses as
// contexts; a cycle is an error.
func orderBuilds(p *spec.Project, groups []*buildGroup) ([]*buildGroup, error) {
	of := map[string]*buildGroup{}
	for _, g := range groups {
		for _, name := range g.Services {
			of[name] = g
		}
	}
	const (
		visiting = 1
		visited  = 2
	)
	state := map[*buildGroup]int{}
	var out []*buildGroup
	var visit func(g *buildGroup, path []string) error
	visit = func(g *buildGroup, path []string) error {
		switch state[g] {
		case visited:
			return nil
		case visiting:
			return fmt.Errorf("builds use each other's images as additional contexts: %s", strings.Join(append(path, g.Services[0]), " -> "))
		}
		state[g] = visiting
		for _, dep := range contextServices(g.Build) {
			if dg := of[dep]; dg != nil {
				if err := visit(dg, append(path, g.Services[0])); err != nil {
					return err
				}
			}
		}
		state[g] = visited
		out = append(out, g)
		return nil
	}
	for _, g := range groups {
		if err := visit(g, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// imageBuilders maps each image a service builds (its image name and
// extra tags, normalised) to that service; the first by name wins.
func imageBuilders(p *spec.Project) map[string]string {
	out := map[string]string{}
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		if s.Build == nil {
			continue
		}
		for _, ref := range append([]string{ImageName(p, s)}, s.Build.Tags...) {
			if _, ok := out[normalImageRef(ref)]; !ok {
				out[normalImageRef(ref)] = name
			}
		}
	}
	return out
}

// buildersOf are the services, not among names, that build an image one
// of names uses without building it itself.
func buildersOf(p *spec.Project, names []string, builtBy map[string]string) []string {
	var out []string
	for _, name := range names {
		s := p.Services[name]
		if s.Build != nil {
			continue
		}
		if b, ok := builtBy[normalImageRef(ImageName(p, s))]; ok && !slices.Contains(names, b) && !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	slices.Sort(out)
	return out
}

// normalImageRef is ref in the form the daemon stores it: "tools" and
// "docker.io/library/tools:latest" are one image.
func normalImageRef(ref string) string {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	return reference.TagNameOnly(named).String()
}
