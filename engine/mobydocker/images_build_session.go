package mobydocker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"

	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/filesync"
	"github.com/moby/buildkit/session/secrets/secretsprovider"
	"github.com/moby/buildkit/session/sshforward/sshprovider"
	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/client"
	"github.com/tonistiigi/fsutil"
	fstypes "github.com/tonistiigi/fsutil/types"
	"go.uber.org/zap"

	"github.com/stack-dev/stack/engine"
)

// buildWithSession runs a build that needs BuildKit. Build secrets and SSH
// agents reach BuildKit through a session, as with the docker CLI: a gRPC
// server over the engine's /session endpoint that the builder calls back
// into for RUN --mount=type=secret and type=ssh.
func (c *Client) buildWithSession(ctx context.Context, body io.Reader, opts client.ImageBuildOptions, spec engine.BuildSpec, fn func(engine.Progress)) (string, error) {
	if len(spec.Secrets) > 0 || len(spec.SSH) > 0 || spec.Local != nil {
		s, cleanup, err := c.buildSession(ctx, spec)
		if err != nil {
			return "", err
		}
		defer cleanup()
		defer s.Close()
		opts.SessionID = s.ID()
	}
	if spec.Local != nil {
		// The context and the Dockerfile come through the session, not
		// the request body.
		opts.RemoteContext = "client-session"
		opts.Dockerfile = "Dockerfile"
		body = nil
	}
	id, err := c.build(ctx, body, opts, build.BuilderBuildKit, fn)
	var rejected errBuilderRejected
	if errors.As(err, &rejected) && spec.Builder == engine.BuilderBuildKit {
		return "", errBuilderRejected{fmt.Errorf("this build needs BuildKit (build secrets, ssh or inline cache), which the engine refused: %w", rejected.err)}
	}
	return id, err
}

// localContext serves a context folder (less its ignored files, owned by
// root as in a tar) and a folder with the generated Dockerfile, the two
// local sources BuildKit's Dockerfile frontend reads.
func localContext(l *engine.LocalContext) (session.Attachable, func(), error) {
	dfDir, err := os.MkdirTemp("", "stack-dockerfile-*")
	if err != nil {
		return nil, nil, fmt.Errorf("write dockerfile: %w", err)
	}
	cleanup := func() { os.RemoveAll(dfDir) }
	if err := os.WriteFile(filepath.Join(dfDir, "Dockerfile"), l.Dockerfile, 0o600); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("write dockerfile: %w", err)
	}
	ctxFS, err := fsutil.NewFS(l.Dir)
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("build context: %w", err)
	}
	ctxFS, err = fsutil.NewFilterFS(ctxFS, &fsutil.FilterOpt{
		ExcludePatterns: l.Excludes,
		Map: func(_ string, st *fstypes.Stat) fsutil.MapResult {
			st.Uid, st.Gid = 0, 0
			return fsutil.MapResultKeep
		},
	})
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("build context: %w", err)
	}
	dfFS, err := fsutil.NewFS(dfDir)
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("write dockerfile: %w", err)
	}
	return filesync.NewFSSyncProvider(filesync.StaticDirSource{"context": ctxFS, "dockerfile": dfFS}), cleanup, nil
}

// buildSession starts a BuildKit session that serves the build's secrets
// and SSH agents (and the local context); it runs until closed or ctx
// ends. cleanup removes what it wrote, after the build.
func (c *Client) buildSession(ctx context.Context, spec engine.BuildSpec) (*session.Session, func(), error) {
	s, err := session.NewSession(ctx, "stack")
	if err != nil {
		return nil, nil, fmt.Errorf("start build session: %w", err)
	}
	cleanup := func() {}
	if spec.Local != nil {
		var files session.Attachable
		files, cleanup, err = localContext(spec.Local)
		if err != nil {
			return nil, nil, err
		}
		s.Allow(files)
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
			cleanup()
			return nil, nil, fmt.Errorf("build ssh: %w", err)
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
	return s, cleanup, nil
}
