package mobydocker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"go.uber.org/zap"

	"github.com/stack-dev/stack/engine"
)

// buildKitWorks remembers, per API client, whether the daemon accepted a
// BuildKit build (true) or refused it (false). Until it is known the build
// context is spooled to a file so it can be sent again to the classic
// builder. (Docker 20.10 accepts a tar body with BuildKit and no session.)
var buildKitWorks sync.Map // *client.Client -> bool

// errBuilderRejected is a build the daemon refused before building anything.
type errBuilderRejected struct{ err error }

func (e errBuilderRejected) Error() string { return e.err.Error() }
func (e errBuilderRejected) Unwrap() error { return e.err }

// ImageBuild builds an image from a tar build context with the daemon's
// BuildKit, or its classic builder where BuildKit is unavailable, and
// returns the image ID.
func (c *Client) ImageBuild(ctx context.Context, buildContext io.Reader, spec engine.BuildSpec, fn func(engine.Progress)) (string, error) {
	opts, err := buildOptions(spec)
	if err != nil {
		return "", err
	}
	if works, known := buildKitWorks.Load(c.api); known {
		version := build.BuilderV1
		if works.(bool) {
			version = build.BuilderBuildKit
		}
		return c.build(ctx, buildContext, opts, version, fn)
	}

	spool, err := os.CreateTemp("", "stack-build-context-*.tar")
	if err != nil {
		return "", fmt.Errorf("spool build context: %w", err)
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	if _, err := io.Copy(spool, buildContext); err != nil {
		return "", fmt.Errorf("spool build context: %w", err)
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("spool build context: %w", err)
	}
	id, err := c.build(ctx, spool, opts, build.BuilderBuildKit, fn)
	var rejected errBuilderRejected
	if !errors.As(err, &rejected) || ctx.Err() != nil {
		buildKitWorks.Store(c.api, true)
		return id, err
	}
	c.log.Debug("buildkit build refused, trying the classic builder", zap.Error(err))
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("spool build context: %w", err)
	}
	id, err = c.build(ctx, spool, opts, build.BuilderV1, fn)
	if err == nil {
		buildKitWorks.Store(c.api, false)
	}
	return id, err
}

// build runs one build with the given builder and follows its output.
func (c *Client) build(ctx context.Context, body io.Reader, opts client.ImageBuildOptions, version build.BuilderVersion, fn func(engine.Progress)) (string, error) {
	builder := map[build.BuilderVersion]string{build.BuilderBuildKit: "buildkit", build.BuilderV1: "classic"}[version]
	c.log.Debug("image build", zap.String("builder", builder), zap.Strings("tags", opts.Tags),
		zap.String("dockerfile", opts.Dockerfile), zap.String("target", opts.Target))
	opts.Version = version
	res, err := c.api.ImageBuild(ctx, body, opts)
	if err != nil {
		return "", errBuilderRejected{apiErr("build image", err)}
	}
	defer res.Body.Close()
	stop := context.AfterFunc(ctx, func() { res.Body.Close() })
	defer stop()

	stream := newBuildStream(fn)
	dec := json.NewDecoder(res.Body)
	for {
		var msg jsonstream.Message
		if err := dec.Decode(&msg); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			return "", fmt.Errorf("read build output: %w", err)
		}
		if err := stream.handle(msg); err != nil {
			return "", err
		}
	}
	if stream.imageID == "" && len(opts.Tags) > 0 {
		img, err := c.ImageInspect(ctx, opts.Tags[0])
		if err != nil {
			return "", fmt.Errorf("find built image: %w", err)
		}
		return img.ID, nil
	}
	if stream.imageID == "" {
		return "", errors.New("build finished without an image id")
	}
	return stream.imageID, nil
}

// buildOptions translates a BuildSpec to the API's options.
func buildOptions(spec engine.BuildSpec) (client.ImageBuildOptions, error) {
	opts := client.ImageBuildOptions{
		Tags:        spec.Tags,
		Dockerfile:  spec.Dockerfile,
		Target:      spec.Target,
		Labels:      spec.Labels,
		NoCache:     spec.NoCache,
		PullParent:  spec.PullParent,
		Remove:      true,
		ForceRemove: true,
	}
	if len(spec.Args) > 0 {
		opts.BuildArgs = make(map[string]*string, len(spec.Args))
		for k, v := range spec.Args {
			opts.BuildArgs[k] = &v
		}
	}
	if spec.Platform != "" {
		p, err := parsePlatform(spec.Platform)
		if err != nil {
			return opts, err
		}
		opts.Platforms = []ocispec.Platform{p}
	}
	return opts, nil
}

// parsePlatform reads "os/arch[/variant]".
func parsePlatform(s string) (ocispec.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return ocispec.Platform{}, fmt.Errorf("platform %q: want os/arch[/variant]", s)
	}
	p := ocispec.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return p, nil
}
