package engine

import (
	"context"

	"github.com/stack-dev/stack/spec"
)

// BuildHash is the hash a service's build would be labelled with.
func BuildHash(ctx context.Context, e *Engine, p *spec.Project, service string) (string, error) {
	s := p.Services[service]
	_, _, hash, err := e.prepareBuild(ctx, p, s.Build, buildPlatform(s))
	return hash, err
}
