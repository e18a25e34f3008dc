package engine

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/stack-dev/stack/spec"
)

// What the engine's builders can do, as Docker Engine 20.10 (API 1.41)
// shows them: BuildKit has RUN --mount (secrets, ssh) and inline cache but
// ignores shm_size and ulimits and refuses a named network; the classic
// builder honours those and has no RUN --mount. Neither can grant
// entitlements, export cache elsewhere than into the image, or build for
// more than one platform at a time.

// buildRefusal is a build key the engine cannot honour, with its key path
// (and position, when the loader recorded one).
func buildRefusal(s *spec.Service, key, format string, args ...any) error {
	path := "services." + s.Name + ".build"
	if key != "" {
		path += "." + key
	}
	msg := path + ": " + fmt.Sprintf(format, args...)
	if pos := s.Pos("build." + key).String(); pos != "" {
		msg = pos + ": " + msg
	}
	return fmt.Errorf("%s", msg)
}

// checkBuilds refuses, before anything is built or created, the build keys
// of the given services that the engine cannot honour.
func (e *Engine) checkBuilds(ctx context.Context, p *spec.Project, names []string) error {
	var builds []*spec.Service
	for _, name := range names {
		if s := p.Services[name]; s != nil && s.Build != nil {
			builds = append(builds, s)
		}
	}
	if len(builds) == 0 {
		return nil
	}
	v, err := e.docker.Version(ctx)
	if err != nil {
		return err
	}
	for _, s := range builds {
		if err := checkBuild(s, v); err != nil {
			return err
		}
	}
	return nil
}

func checkBuild(s *spec.Service, v ServerVersion) error {
	b := s.Build
	if _, err := builderFor(s); err != nil {
		return err
	}
	if b.Privileged {
		return buildRefusal(s, "privileged", "the engine's build endpoint (API %s) cannot grant the security.insecure entitlement a privileged build needs; "+
			"a buildx builder started with --allow-insecure-entitlement security.insecure can", v.APIVersion)
	}
	if b.Isolation != "" && b.Isolation != "default" && v.OS != "windows" {
		return buildRefusal(s, "isolation", "isolation %s is for Windows containers and this engine runs %s containers; "+
			"build on a Windows engine, or remove isolation (or set it to default)", b.Isolation, v.OS)
	}
	engine := v.OS + "/" + v.Arch
	if len(b.Platforms) > 1 {
		return buildRefusal(s, "platforms", "the engine's builder makes one image per build and its image store holds one platform per tag; "+
			"building %s needs buildx with a multi-platform image store; keep one platform (this engine is %s)", strings.Join(b.Platforms, ", "), engine)
	}
	if len(b.Platforms) == 1 && v.OS != "" && !sameBuildPlatform(b.Platforms[0], engine) {
		return buildRefusal(s, "platforms[0]", "this engine builds for %s; building for %s needs emulation the engine does not offer (QEMU binfmt handlers) or a builder of that platform", engine, b.Platforms[0])
	}
	for i, c := range b.CacheFrom {
		if _, err := cacheFromImage(c); err != nil {
			return buildRefusal(s, fmt.Sprintf("cache_from[%d]", i), "%v", err)
		}
	}
	for i, c := range b.CacheTo {
		if !isInlineCache(c) {
			return buildRefusal(s, fmt.Sprintf("cache_to[%d]", i), "%q: the engine's build endpoint can only export cache into the image it builds (type=inline); "+
				"exporting to a registry, a folder or a cloud cache needs a buildx builder", c)
		}
	}
	return nil
}

// sameBuildPlatform compares os/arch[/variant], the engine's reported without
// a variant matching any.
func sameBuildPlatform(want, engine string) bool {
	if want == engine {
		return true
	}
	parts := strings.Split(want, "/")
	return len(parts) == 3 && parts[0]+"/"+parts[1] == engine
}

// builderFor is the builder a build needs, or an error when it needs both.
func builderFor(s *spec.Service) (string, error) {
	b := s.Build
	var kit, classic []string
	if len(b.Secrets) > 0 {
		kit = append(kit, "secrets")
	}
	if len(b.SSH) > 0 {
		kit = append(kit, "ssh")
	}
	if slices.ContainsFunc(b.CacheTo, isInlineCache) {
		kit = append(kit, "cache_to")
	}
	if b.ShmSize > 0 {
		classic = append(classic, "shm_size")
	}
	if len(b.Ulimits) > 0 {
		classic = append(classic, "ulimits")
	}
	if namedNetwork(b.Network) {
		classic = append(classic, "network")
	}
	switch {
	case len(kit) > 0 && len(classic) > 0:
		return "", buildRefusal(s, classic[0], "%s need(s) BuildKit (RUN --mount, inline cache), but the engine's BuildKit ignores %s "+
			"(it takes only the default, host or none network, and no shm_size or ulimits); only its classic builder honours them, and it has no RUN --mount. "+
			"Drop one of the two sets, or use an engine whose BuildKit honours them",
			strings.Join(kit, ", "), strings.Join(classic, ", "))
	case len(kit) > 0:
		return BuilderBuildKit, nil
	case len(classic) > 0:
		return BuilderClassic, nil
	}
	return "", nil
}

// namedNetwork tells a Docker network name from the modes every builder has.
func namedNetwork(n string) bool {
	switch n {
	case "", "default", "bridge", "host", "none":
		return false
	}
	return true
}

// isInlineCache is cache_to type=inline.
func isInlineCache(c string) bool {
	for _, kv := range strings.Split(c, ",") {
		if strings.TrimSpace(kv) == "type=inline" {
			return true
		}
	}
	return false
}

// cacheFromImage reads a cache_from entry: an image reference, or
// type=registry,ref=IMAGE; the engine's builders take cache only from
// images.
func cacheFromImage(c string) (string, error) {
	if !strings.Contains(c, "=") {
		return c, nil
	}
	attrs := map[string]string{}
	for _, kv := range strings.Split(c, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		attrs[k] = v
	}
	if attrs["type"] != "registry" || attrs["ref"] == "" {
		return "", fmt.Errorf("%q: the engine's builders take cache only from images (an image name, or type=registry,ref=IMAGE); "+
			"type=%s needs a buildx builder", c, attrs["type"])
	}
	return attrs["ref"], nil
}

// buildSpecOf fills the parts of a BuildSpec that come from the build
// section beyond the basics: the secrets' values, ssh sockets, cache
// images, and the builder's run settings.
func buildSpecOf(p *spec.Project, s *spec.Service) (BuildSpec, error) {
	b := s.Build
	builder, err := builderFor(s)
	if err != nil {
		return BuildSpec{}, err
	}
	bs := BuildSpec{
		Builder:    builder,
		ShmSize:    b.ShmSize,
		ExtraHosts: b.ExtraHosts,
		PullParent: b.Pull,
		Isolation:  b.Isolation,
	}
	if b.Isolation == "default" {
		bs.Isolation = ""
	}
	switch b.Network {
	case "default", "bridge":
	default:
		bs.NetworkMode = b.Network
	}
	for i, ref := range b.Secrets {
		value, err := buildSecretValue(p, ref.Source)
		if err != nil {
			return BuildSpec{}, buildRefusal(s, fmt.Sprintf("secrets[%d]", i), "%v", err)
		}
		id := ref.Target
		if id == "" {
			id = ref.Source
		}
		bs.Secrets = append(bs.Secrets, BuildSecret{ID: id, Value: value})
	}
	for i, k := range b.SSH {
		key := BuildSSH{ID: k.ID}
		if k.Path != "" {
			key.Paths = []string{k.Path}
		} else if os.Getenv("SSH_AUTH_SOCK") == "" {
			return BuildSpec{}, buildRefusal(s, fmt.Sprintf("ssh[%d]", i), "ssh %s uses the SSH agent, but SSH_AUTH_SOCK is not set; start an agent or give a key: %s=PATH", k.ID, k.ID)
		}
		bs.SSH = append(bs.SSH, key)
	}
	for _, c := range b.CacheFrom {
		ref, err := cacheFromImage(c)
		if err != nil {
			return BuildSpec{}, err
		}
		bs.CacheFrom = append(bs.CacheFrom, ref)
	}
	for _, name := range sortedKeys(b.Ulimits) {
		u := b.Ulimits[name]
		bs.Ulimits = append(bs.Ulimits, BuildUlimit{Name: name, Soft: u.Soft, Hard: u.Hard})
	}
	return bs, nil
}

// buildSecretValue reads a top-level secret for a build: from its file, the
// environment variable it names, or its content.
func buildSecretValue(p *spec.Project, key string) ([]byte, error) {
	sec := p.Secrets[key]
	switch {
	case sec == nil:
		return nil, fmt.Errorf("undeclared secret %q", key)
	case sec.File != "":
		b, err := os.ReadFile(sec.File)
		if err != nil {
			return nil, fmt.Errorf("secret %s: %w", key, err)
		}
		return b, nil
	case sec.Environment != "":
		v, ok := os.LookupEnv(sec.Environment)
		if !ok {
			return nil, fmt.Errorf("secret %s: environment variable %s is not set", key, sec.Environment)
		}
		return []byte(v), nil
	case sec.Content != "":
		return []byte(sec.Content), nil
	}
	return nil, fmt.Errorf("secret %s has no file, environment or content a build can read", key)
}
