package mobydocker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/secrets/secretsprovider"
	"github.com/moby/buildkit/session/sshforward/sshprovider"
	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/client"
	"go.uber.org/zap"

	"github.com/stack-dev/stack/engine"
)

// buildWithSession runs a build that needs BuildKit. Build secrets and SSH
// agents reach BuildKit through a session, as with the docker CLI: a gRPC
// server over the engine's /session endpoint that the builder calls back
// into for RUN --mount=type=secret and type=ssh.
func (c *Client) buildWithSession(ctx context.Context, body io.Reader, opts client.ImageBuildOptions, spec engine.BuildSpec, fn func(engine.Progress)) (string, error) {
	if len(spec.Secrets) > 0 || len(spec.SSH) > 0 {
		s, err := c.buildSession(ctx, spec)
		if err != nil {
			return "", err
		}
		defer s.Close()
		opts.SessionID = s.ID()
	}
	id, err := c.build(ctx, body, opts, build.BuilderBuildKit, fn)
	var rejected errBuilderRejected
	if errors.As(err, &rejected) {
		return "", fmt.Errorf("this build needs BuildKit (build secrets, ssh or inline cache), which the engine refused: %w", rejected.err)
	}
	return id, err
}

// buildSession starts a BuildKit session that serves the build's secrets
// and SSH agents; it runs until closed or ctx ends.
func (c *Client) buildSession(ctx context.Context, spec engine.BuildSpec) (*session.Session, error) {
	s, err := session.NewSession(ctx, "stack")
	if err != nil {
		return nil, fmt.Errorf("start build session: %w", err)
	}
	if len(spec.Secrets) > 0 {
		values := make(map[string][]byte, len(spec.Secrets))
		for _, sec := range spec.Secrets {
			values[sec.ID] = sec.Value
		}
		s.Allow(secretsprovider.FromMap(values))
	}
	if len(spec.SSH) > 0 {
		var confs []sshprovider.AgentConfig
		for _, k := range spec.SSH {
			confs = append(confs, sshprovider.AgentConfig{ID: k.ID, Paths: k.Paths})
		}
		agents, err := sshprovider.NewSSHAgentProvider(confs)
		if err != nil {
			return nil, fmt.Errorf("build ssh: %w", err)
		}
		s.Allow(agents)
	}
	go func() {
		err := s.Run(ctx, func(ctx context.Context, proto string, meta map[string][]string) (net.Conn, error) {
			return c.api.DialHijack(ctx, "/session", proto, meta)
		})
		if err != nil {
			c.log.Debug("build session ended", zap.Error(err))
		}
	}()
	return s, nil
}
