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
	if err := e.checkBuilds(ctx, p, names); err != nil {
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

	Inline     string                      `json:"inline,omitempty"`
	Contexts   map[string]string           `json:"contexts,omitempty"`
	Secrets    []string                    `json:"secrets,omitempty"` // id=source, not the values
	SSH        []string                    `json:"ssh,omitempty"`
	CacheFrom  []string                    `json:"cache_from,omitempty"`
	CacheTo    []string                    `json:"cache_to,omitempty"`
	Network    string                      `json:"network,omitempty"`
	ShmSize    int64                       `json:"shm_size,omitempty"`
	ExtraHosts []string                    `json:"extra_hosts,omitempty"`
	Ulimits    map[string]spec.BuildUlimit `json:"ulimits,omitempty"`
	Privileged bool                        `json:"privileged,omitempty"`
	Pull       bool                        `json:"pull,omitempty"`
	Isolation  string                      `json:"isolation,omitempty"`
}

func configOf(b *spec.Build, platform string) buildConfig {
	dockerfile := b.Dockerfile
	if dockerfile == "" && b.DockerfileInline == "" {
		dockerfile = "Dockerfile"
	}
	c := buildConfig{
		Context: filepath.Clean(b.Context), Dockerfile: filepath.ToSlash(dockerfile),
		Args: b.Args, Target: b.Target, Labels: b.Labels, Platform: platform,
		Inline: b.DockerfileInline, Contexts: b.AdditionalContexts,
		CacheFrom: b.CacheFrom, CacheTo: b.CacheTo, Network: b.Network, ShmSize: b.ShmSize,
		ExtraHosts: b.ExtraHosts, Ulimits: b.Ulimits, Privileged: b.Privileged, Pull: b.Pull,
		Isolation: b.Isolation,
	}
	for _, ref := range b.Secrets {
		c.Secrets = append(c.Secrets, ref.Target+"="+ref.Source)
	}
	for _, k := range b.SSH {
		c.SSH = append(c.SSH, k.String())
	}
	return c
}

// buildPlatform is the platform a service's image is built for: its own,
// else the one of build.platforms.
func buildPlatform(s *spec.Service) string {
	if s.Platform == "" && len(s.Build.Platforms) == 1 {
		return s.Build.Platforms[0]
	}
	return s.Platform
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
		platform := buildPlatform(s)
		key := configOf(s.Build, platform).key()
		g, ok := byKey[key]
		if !ok {
			g = &buildGroup{Build: s.Build, Platform: platform}
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
	names = withContextServices(p, names)
	groups, err := orderBuilds(p, groupBuilds(p, names))
	if err != nil {
		return err
	}
	done := map[string]chan struct{}{} // by service
	for _, group := range groups {
		ch := make(chan struct{})
		for _, name := range group.Services {
			done[name] = ch
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	// Groups are started in dependency order, so the builds a group waits
	// for have their slots before it takes one.
	for _, group := range groups {
		g.Go(func() error {
			defer close(done[group.Services[0]])
			for _, dep := range contextServices(group.Build) {
				select {
				case <-done[dep]:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			return e.buildGroup(gctx, p, group, opts)
		})
	}
	return g.Wait()
}

// buildGroup builds one image, unless an image with its tag was built from
// the same context and config (the LabelBuildHash label) and opts.Build
// does not force it.
func (e *Engine) buildGroup(ctx context.Context, p *spec.Project, g *buildGroup, opts ImageOptions) error {
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

	first := p.Services[g.Services[0]]
	extra, err := buildSpecOf(p, first)
	if err != nil {
		return fail(err)
	}
	bc, contexts, hash, err := e.prepareBuild(ctx, p, g.Build, g.Platform)
	if err != nil {
		return fail(err)
	}
	if !opts.Build && !opts.NoCache && e.builtFrom(ctx, g.Tags, hash) {
		e.log.Debug("build unchanged, skipped", zap.String("service", who), zap.String("hash", hash))
		e.emit(Status{Object: object, Service: g.Services[0], Phase: PhaseUpToDate, Done: true})
		return nil
	}

	e.emit(Status{Object: object, Service: g.Services[0], Phase: PhaseBuilding})
	stages, cleanup, err := e.contextStages(ctx, g, contexts, hash)
	defer cleanup()
	if err != nil {
		return fail(err)
	}
	dockerfile, err := generatedDockerfile(bc, g.Build.DockerfileInline, stages)
	if err != nil {
		return fail(err)
	}
	tar, err := bc.Tar()
	if err != nil {
		return fail(err)
	}
	var local *LocalContext
	if dockerfile != nil {
		local = &LocalContext{Dir: bc.Dir, Excludes: bc.Excludes, Dockerfile: dockerfile}
		bc.Dockerfile = generatedDockerfileName(dockerfile)
		tar = withDockerfile(tar, bc.Dockerfile, dockerfile)
	}
	defer tar.Close()
	labels := maps.Clone(g.Build.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[LabelBuildHash] = hash
	bs := extra
	bs.Tags = g.Tags
	bs.Dockerfile = bc.Dockerfile
	bs.Args = g.Build.Args
	if slices.ContainsFunc(g.Build.CacheTo, isInlineCache) {
		bs.Args = maps.Clone(bs.Args)
		if bs.Args == nil {
			bs.Args = map[string]string{}
		}
		bs.Args["BUILDKIT_INLINE_CACHE"] = "1"
	}
	bs.Target = g.Build.Target
	bs.Labels = labels
	bs.NoCache = g.Build.NoCache || opts.NoCache
	bs.Platform = g.Platform
	bs.Local = local
	bs.PullParent = bs.PullParent || opts.PullParent // build.pull or build --pull
	id, err := e.docker.ImageBuild(ctx, tar, bs, func(pr Progress) {
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

// prepareBuild opens a build's context and additional contexts and
// computes its hash.
func (e *Engine) prepareBuild(ctx context.Context, p *spec.Project, b *spec.Build, platform string) (*buildContext, []resolvedContext, string, error) {
	var bc *buildContext
	var err error
	if b.DockerfileInline != "" {
		bc, err = openInlineContext(b.Context)
	} else {
		bc, err = openBuildContext(b.Context, b.Dockerfile)
	}
	if err != nil {
		return nil, nil, "", err
	}
	contexts, err := e.resolveContexts(ctx, p, b)
	if err != nil {
		return nil, nil, "", err
	}
	hash, err := buildHash(bc, configOf(b, platform), contexts)
	if err != nil {
		return nil, nil, "", err
	}
	return bc, contexts, hash, nil
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
func buildHash(bc *buildContext, cfg buildConfig, contexts []resolvedContext) (string, error) {
	digest, err := bc.Digest()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(cfg.key()))
	h.Write([]byte{0})
	h.Write([]byte(digest))
	for _, c := range contexts {
		fmt.Fprintf(h, "\x00%s\x00%s", c.Name, c.Digest)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
