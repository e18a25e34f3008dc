package mobydocker

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"

	"github.com/stack-dev/stack/engine"
)

// ContainerLogs copies a container's output to stdout and stderr until the
// log ends or, with Follow, ctx ends. The daemon multiplexes both streams
// into one unless the container has a TTY, which has a single raw stream
// (it all goes to stdout).
func (c *Client) ContainerLogs(ctx context.Context, id string, opts engine.LogOptions, stdout, stderr io.Writer) (err error) {
	defer c.trace("ContainerLogs", id)(&err)
	tty, err := c.hasTTY(ctx, id)
	if err != nil {
		return err
	}

	logOpts := client.ContainerLogsOptions{
		ShowStdout: true,
		ShowStderr: true,
		Follow:     opts.Follow,
		Tail:       opts.Tail,
		Timestamps: opts.Timestamps,
	}
	if !opts.Since.IsZero() {
		logOpts.Since = fmt.Sprintf("%d.%09d", opts.Since.Unix(), opts.Since.Nanosecond())
	}
	rc, err := c.api.ContainerLogs(ctx, id, logOpts)
	if err != nil {
		return apiErr("logs of container "+id, err)
	}
	defer rc.Close()

	if tty {
		_, err = io.Copy(stdout, rc)
	} else {
		_, err = stdcopy.StdCopy(stdout, stderr, rc)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		if ctx.Err() != nil {
			return nil // following ends with ctx, by design
		}
		return fmt.Errorf("logs of container %s: %w", id, err)
	}
	return nil
}

func (c *Client) hasTTY(ctx context.Context, id string) (tty bool, err error) {
	defer c.trace("ContainerInspect", id)(&err)
	res, err := c.api.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return false, apiErr("logs of container "+id, err)
	}
	return res.Container.Config != nil && res.Container.Config.Tty, nil
}
