package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/stack-dev/stack/spec"
)

// Build builds the images of the given services (nil: every service with a
// build section), skipping unchanged ones unless opts.Build, and returns
// each service's image ID. Naming a service without a build section is an
// error.
func (e *Engine) Build(ctx context.Context, p *spec.Project, services []string, opts ImageOptions) (map[string]string, error) {
	names, err := selectServices(p, services)
	if err != nil {
		return nil, err
	}
	var buildable []string
	for _, name := range names {
		if p.Services[name].Build != nil {
			buildable = append(buildable, name)
		} else if len(services) > 0 {
			return nil, fmt.Errorf("service %s has no build section", name)
		}
	}
	if err := e.buildServices(ctx, p, buildable, opts, opts.parallel()); err != nil {
		return nil, err
	}
	return e.imageIDs(ctx, p, buildable, opts, map[string]Image{})
}

// buildGroup is one build shared by every service with the same context,
// Dockerfile and build config: it runs once and tags all their images.
type buildGroup struct {
	Services []string
	Build    *spec.Build
	Platform string
	Tags     []string
}

// buildConfig is the part of a build that, with the context's content,
// decides its result: groups share it, and it goes into the build hash.
type buildConfig struct {
	Context    string            `json:"context"`
	Dockerfile string            `json:"dockerfile"`
	Args       map[string]string `json:"args,omitempty"`
	Target     string            `json:"target,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
	Platform   string            `json:"platform,omitempty"`
}

func configOf(b *spec.Build, platform string) buildConfig {
	dockerfile := b.Dockerfile
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	return buildConfig{
		Context: filepath.Clean(b.Context), Dockerfile: filepath.ToSlash(dockerfile),
		Args: b.Args, Target: b.Target, Labels: b.Labels, Platform: platform,
	}
}

// key is the build's identity (maps marshal with sorted keys).
func (c buildConfig) key() string {
	buf, _ := json.Marshal(c)
	return string(buf)
}

// groupBuilds merges the services whose builds are identical.
func groupBuilds(p *spec.Project, names []string) []*buildGroup {
	byKey := map[string]*buildGroup{}
	var groups []*buildGroup
	for _, name := range names {
		s := p.Services[name]
		key := configOf(s.Build, s.Platform).key()
		g, ok := byKey[key]
		if !ok {
			g = &buildGroup{Build: s.Build, Platform: s.Platform}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.Services = append(g.Services, name)
		for _, tag := range append([]string{ImageName(p, s)}, s.Build.Tags...) {
			if !slices.Contains(g.Tags, tag) {
				g.Tags = append(g.Tags, tag)
			}
		}
	}
	return groups
}

// buildServices builds the services' images, identical builds once, at most
// parallel at a time.
func (e *Engine) buildServices(ctx context.Context, p *spec.Project, names []string, opts ImageOptions, parallel int) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	for _, group := range groupBuilds(p, names) {
		g.Go(func() error { return e.buildGroup(gctx, group, opts) })
	}
	return g.Wait()
}

// buildGroup builds one image, unless an image with its tag was built from
// the same context and config (the LabelBuildHash label) and opts.Build
// does not force it.
func (e *Engine) buildGroup(ctx context.Context, g *buildGroup, opts ImageOptions) error {
	who := strings.Join(g.Services, ", ")
	object := "image " + g.Tags[0]
	fail := func(err error) error {
		var be *BuildError
		if errors.As(err, &be) {
			be.Service = who
		} else {
			err = fmt.Errorf("build service %s: %w", who, err)
		}
		e.emit(Status{Object: object, Service: g.Services[0], Phase: PhaseError, Err: err, Done: true})
		return err
	}

	bc, err := openBuildContext(g.Build.Context, g.Build.Dockerfile)
	if err != nil {
		return fail(err)
	}
	hash, err := buildHash(bc, configOf(g.Build, g.Platform))
	if err != nil {
		return fail(err)
	}
	if !opts.Build && !opts.NoCache && e.builtFrom(ctx, g.Tags, hash) {
		e.log.Debug("build unchanged, skipped", zap.String("service", who), zap.String("hash", hash))
		e.emit(Status{Object: object, Service: g.Services[0], Phase: PhaseUpToDate, Done: true})
		return nil
	}

	e.emit(Status{Object: object, Service: g.Services[0], Phase: PhaseBuilding})
	tar, err := bc.Tar()
	if err != nil {
		return fail(err)
	}
	defer tar.Close()
	labels := maps.Clone(g.Build.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[LabelBuildHash] = hash
	id, err := e.docker.ImageBuild(ctx, tar, BuildSpec{
		Tags:       g.Tags,
		Dockerfile: bc.Dockerfile,
		Args:       g.Build.Args,
		Target:     g.Build.Target,
		Labels:     labels,
		NoCache:    g.Build.NoCache || opts.NoCache,
		Platform:   g.Platform,
		PullParent: opts.PullParent,
	}, func(pr Progress) {
		e.emit(Status{Object: object, Service: g.Services[0], Phase: PhaseBuilding,
			Detail: pr.Status, Current: pr.Current, Total: pr.Total})
	})
	if err != nil {
		return fail(err)
	}
	e.log.Debug("built image", zap.String("service", who), zap.String("id", id), zap.Strings("tags", g.Tags))
	e.emit(Status{Object: object, Service: g.Services[0], Phase: PhaseBuilt, Detail: shortID(strings.TrimPrefix(id, "sha256:")), Done: true})
	return nil
}

// builtFrom reports whether every tag names an image built from hash.
func (e *Engine) builtFrom(ctx context.Context, tags []string, hash string) bool {
	for _, tag := range tags {
		img, err := e.docker.ImageInspect(ctx, tag)
		if err != nil || img.Labels[LabelBuildHash] != hash {
			return false
		}
	}
	return true
}

// buildHash is the hash of everything a build's result depends on that
// stack can see: the context after .dockerignore and the build config.
func buildHash(bc *buildContext, cfg buildConfig) (string, error) {
	digest, err := bc.Digest()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(cfg.key()))
	h.Write([]byte{0})
	h.Write([]byte(digest))
	return hex.EncodeToString(h.Sum(nil)), nil
}
