package spec

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// buildStageName is what a Dockerfile stage may be called (FROM x AS name), so
// what an additional context's name must be for stack to provide it.
var buildStageName = regexp.MustCompile(`^[a-z][a-z0-9_.-]*$`)

var buildPlatformPattern = regexp.MustCompile(`^[a-z0-9_]+/[a-z0-9_]+(/[a-z0-9_]+)?$`)

var validBuildIsolations = map[string]bool{"": true, "default": true, "process": true, "hyperv": true}

// build checks a service's build section: values, and references to other
// parts of the project.
func (v *validator) build(s *Service) {
	b := s.Build
	if b == nil {
		return
	}
	if b.Dockerfile != "" && b.DockerfileInline != "" && b.Dockerfile != "Dockerfile" {
		v.add(s, "build.dockerfile_inline", "service %q: dockerfile and dockerfile_inline cannot both be set", s.Name)
	}
	for _, name := range sortedKeys(b.AdditionalContexts) {
		v.additionalContext(s, name, b.AdditionalContexts[name])
	}
	for i, ref := range b.Secrets {
		key := fmt.Sprintf("build.secrets[%d]", i)
		sec, ok := v.p.Secrets[ref.Source]
		switch {
		case !ok:
			v.add(s, key, "service %q: build uses undeclared secret %q", s.Name, ref.Source)
		case sec.External:
			v.add(s, key, "service %q: build secret %q is external: a build can only use a secret from a file, an environment variable or content", s.Name, ref.Source)
		}
		if ref.UID != "" || ref.GID != "" || ref.Mode != nil {
			v.add(s, key, "service %q: build secret %q: uid, gid and mode are set on the Dockerfile's RUN --mount=type=secret, not in the build section", s.Name, ref.Source)
		}
	}
	ids := map[string]bool{}
	for i, k := range b.SSH {
		if ids[k.ID] {
			v.add(s, fmt.Sprintf("build.ssh[%d]", i), "service %q: ssh id %q is given twice", s.Name, k.ID)
		}
		ids[k.ID] = true
	}
	for _, name := range sortedKeys(b.Ulimits) {
		if u := b.Ulimits[name]; u.Soft > u.Hard || u.Soft < 0 {
			v.add(s, "build.ulimits."+name, "service %q: build ulimit %s: soft limit %d must be between 0 and the hard limit %d", s.Name, name, u.Soft, u.Hard)
		}
	}
	if b.ShmSize < 0 {
		v.add(s, "build.shm_size", "service %q: build shm_size cannot be negative", s.Name)
	}
	if !validBuildIsolations[b.Isolation] {
		v.add(s, "build.isolation", "service %q: invalid build isolation %q (want default, process or hyperv)", s.Name, b.Isolation)
	}
	for i, h := range b.ExtraHosts {
		if host, ip, ok := strings.Cut(h, ":"); !ok || host == "" || ip == "" {
			v.add(s, fmt.Sprintf("build.extra_hosts[%d]", i), "service %q: build extra_hosts entry %q: want host:ip", s.Name, h)
		}
	}
	for i, pl := range b.Platforms {
		if !buildPlatformPattern.MatchString(pl) {
			v.add(s, fmt.Sprintf("build.platforms[%d]", i), "service %q: build platform %q: want os/arch[/variant]", s.Name, pl)
		}
	}
	if s.Platform != "" && len(b.Platforms) > 0 && !slices.Contains(b.Platforms, s.Platform) {
		v.add(s, "build.platforms", "service %q: platform %s is not among the build's platforms %s", s.Name, s.Platform, strings.Join(b.Platforms, ", "))
	}
}

func (v *validator) additionalContext(s *Service, name, ctx string) {
	key := "build.additional_contexts." + name
	if !buildStageName.MatchString(name) {
		v.add(s, key, "service %q: additional context %q: stack provides additional contexts as Dockerfile stages, so the name must be a stage name (lowercase letters, digits, '.', '_', '-'); "+
			"naming an image to replace it needs the named contexts of a buildx builder, which the engine's build endpoint does not have", s.Name, name)
		return
	}
	switch {
	case strings.HasPrefix(ctx, "service:"):
		other := strings.TrimPrefix(ctx, "service:")
		t, ok := v.p.Services[other]
		switch {
		case !ok:
			v.add(s, key, "service %q: additional context %q uses unknown service %q", s.Name, name, other)
		case t.Build == nil:
			v.add(s, key, "service %q: additional context %q uses service %q, which has no build section", s.Name, name, other)
		case other == s.Name:
			v.add(s, key, "service %q: additional context %q cannot be the service's own image", s.Name, name)
		}
	case strings.HasPrefix(ctx, "docker-image://"):
		if strings.TrimPrefix(ctx, "docker-image://") == "" {
			v.add(s, key, "service %q: additional context %q: docker-image:// needs an image reference", s.Name, name)
		}
	case strings.Contains(ctx, "://") || isRemoteContext(ctx):
		v.add(s, key, "service %q: additional context %q: %s is a remote context, which the engine's build endpoint cannot fetch as a named context; clone or download it and give the folder", s.Name, name, ctx)
	}
}
