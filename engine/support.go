package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/stack-dev/stack/spec"
)

// checkEngineSupport refuses, before anything is created, keys the engine
// at hand cannot honour: it names the key, why, and what would make it
// work, rather than have the daemon drop or half-apply them.
func (e *Engine) checkEngineSupport(ctx context.Context, p *spec.Project, services []string) error {
	var needs bool
	for _, name := range services {
		s := p.Services[name]
		if s != nil && (len(s.Annotations) > 0 || s.Isolation != "" || hasCDIDevice(s) || hasSubpath(s)) {
			needs = true
		}
	}
	for _, n := range p.Networks {
		if n.EnableIPv4 != nil && !*n.EnableIPv4 {
			needs = true
		}
	}
	if !needs {
		return nil
	}
	v, err := e.docker.Version(ctx)
	if err != nil {
		return fmt.Errorf("engine version: %w", err)
	}
	var errs []error
	for _, name := range services {
		s := p.Services[name]
		if s == nil {
			continue
		}
		if len(s.Annotations) > 0 && apiBefore(v.APIVersion, 1, 43) {
			errs = append(errs, fmt.Errorf("service %s: annotations need Docker Engine API 1.43 (Docker 24) or later; this engine speaks %s", name, v.APIVersion))
		}
		if hasCDIDevice(s) && apiBefore(v.APIVersion, 1, 45) {
			errs = append(errs, fmt.Errorf("service %s: CDI devices need Docker Engine API 1.45 (Docker 25) or later with CDI enabled; this engine speaks %s (give a host path such as /dev/dri instead)", name, v.APIVersion))
		}
		if hasSubpath(s) && apiBefore(v.APIVersion, 1, 45) {
			errs = append(errs, fmt.Errorf("service %s: volume subpath needs Docker Engine API 1.45 (Docker 26) or later; this engine speaks %s (mount the whole volume, or a bind mount of the folder)", name, v.APIVersion))
		}
		if s.Isolation != "" && s.Isolation != "default" && v.OS != "windows" {
			errs = append(errs, fmt.Errorf("service %s: isolation %q is for Windows containers; this engine runs %s containers (leave isolation out, or use default)", name, s.Isolation, v.OS))
		}
	}
	for _, key := range sortedKeys(p.Networks) {
		if n := p.Networks[key]; n.EnableIPv4 != nil && !*n.EnableIPv4 && apiBefore(v.APIVersion, 1, 48) {
			errs = append(errs, fmt.Errorf("network %s: enable_ipv4 = false needs Docker Engine API 1.48 (Docker 28) or later; this engine speaks %s", key, v.APIVersion))
		}
	}
	return errors.Join(errs...)
}

func hasSubpath(s *spec.Service) bool {
	for _, m := range s.Volumes {
		if m.Subpath != "" {
			return true
		}
	}
	return false
}

func hasCDIDevice(s *spec.Service) bool {
	for _, d := range s.Devices {
		if d.IsCDI() {
			return true
		}
	}
	return false
}

// apiBefore reports whether API version v ("1.41") is older than
// major.minor. An unreadable version counts as new enough: the daemon
// will say what it does not know.
func apiBefore(v string, major, minor int) bool {
	a, b, ok := strings.Cut(v, ".")
	if !ok {
		return false
	}
	ma, err1 := strconv.Atoi(a)
	mi, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return ma < major || (ma == major && mi < minor)
}
