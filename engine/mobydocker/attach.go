package mobydocker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"

	"github.com/stack-dev/stack/engine"
)

// ExecAttach runs opts.Cmd in a running container over a hijacked
// connection wired to opts' streams and returns the command's exit code.
func (c *Client) ExecAttach(ctx context.Context, id string, opts engine.ExecOptions) (code int, err error) {
	defer c.trace("ExecAttach", id+" "+strings.Join(opts.Cmd, " "))(&err)
	created, err := c.api.ExecCreate(ctx, id, client.ExecCreateOptions{
		Cmd:          opts.Cmd,
		User:         opts.User,
		WorkingDir:   opts.WorkingDir,
		Env:          opts.Env,
		Privileged:   opts.Privileged,
		TTY:          opts.Tty,
		AttachStdin:  opts.Stdin != nil,
		AttachStdout: true,
		AttachStderr: true,
	})
	if err != nil {
		return 0, apiErr("exec in container "+id, err)
	}
	attached, err := c.api.ExecAttach(ctx, created.ID, client.ExecAttachOptions{TTY: opts.Tty})
	if err != nil {
		return 0, apiErr("exec in container "+id, err)
	}
	defer attached.Close()

	resize := func(size engine.TerminalSize) error {
		_, err := c.api.ExecResize(ctx, created.ID, client.ExecResizeOptions{Height: size.Height, Width: size.Width})
		return err
	}
	if err := c.stream(ctx, &attached.HijackedResponse, opts.Streams, resize); err != nil {
		return 0, fmt.Errorf("exec in container %s: %w", id, err)
	}
	code, err = c.execExitCode(ctx, created.ID)
	if err != nil {
		return 0, fmt.Errorf("exec in container %s: %w", id, err)
	}
	return code, nil
}

// ContainerAttach attaches opts' streams to a container before it starts;
// the returned wait copies its output until the container's streams end.
// The TTY, if any, is resized once the container runs.
func (c *Client) ContainerAttach(ctx context.Context, id string, opts engine.AttachOptions) (wait func() error, err error) {
	defer c.trace("ContainerAttach", id)(&err)
	attached, err := c.api.ContainerAttach(ctx, id, client.ContainerAttachOptions{
		Stream: true,
		Stdin:  opts.Stdin != nil,
		Stdout: true,
		Stderr: true,
	})
	if err != nil {
		// A failed upgrade says only its HTTP status; ask why.
		if _, inspectErr := c.api.ContainerInspect(ctx, id, client.ContainerInspectOptions{}); inspectErr != nil {
			err = inspectErr
		}
		return nil, apiErr("attach to container "+id, err)
	}
	resize := func(size engine.TerminalSize) error {
		_, err := c.api.ContainerResize(ctx, id, client.ContainerResizeOptions{Height: size.Height, Width: size.Width})
		return err
	}
	return func() error {
		defer attached.Close()
		if err := c.stream(ctx, &attached.HijackedResponse, opts.Streams, resize); err != nil {
			return fmt.Errorf("attach to container %s: %w", id, err)
		}
		return nil
	}, nil
}

// stream copies streams.Stdin into the hijacked connection and its output
// to streams.Stdout and Stderr (demultiplexed unless a TTY) until the output
// ends or ctx does, resizing the TTY as streams ask. It does not wait for
// Stdin: a terminal's read blocks until the user types.
func (c *Client) stream(ctx context.Context, conn *client.HijackedResponse, streams engine.Streams, resize func(engine.TerminalSize) error) error {
	// Closing the connection when ctx ends unblocks the copies.
	stop := context.AfterFunc(ctx, conn.Close)
	defer stop()
	if streams.Stdin != nil {
		go func() {
			if _, err := io.Copy(conn.Conn, streams.Stdin); err != nil && !errors.Is(err, net.ErrClosed) {
				c.log.Debug("copy stdin: " + err.Error())
			}
			// Half-close: the process sees EOF on its stdin and may
			// still write its output.
			if err := conn.CloseWrite(); err != nil {
				c.log.Debug("close stdin: " + err.Error())
			}
		}()
	}
	if streams.Tty {
		resizeCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		go c.forwardResizes(resizeCtx, streams, resize)
	}

	stdout, stderr := orDiscard(streams.Stdout), orDiscard(streams.Stderr)
	var err error
	if streams.Tty {
		_, err = io.Copy(stdout, conn.Reader)
	} else {
		_, err = stdcopy.StdCopy(stdout, stderr, conn.Reader)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read output: %w", err)
	}
	return nil
}

// forwardResizes sets the TTY to the initial size, retrying while the
// process is not up yet (a container's TTY cannot be resized before it
// starts), then to every later size.
func (c *Client) forwardResizes(ctx context.Context, streams engine.Streams, resize func(engine.TerminalSize) error) {
	if streams.Size != nil {
		for attempt := 1; ; attempt++ {
			err := resize(*streams.Size)
			if err == nil {
				break
			}
			if attempt == 10 {
				c.log.Debug("resize tty: " + err.Error())
				break
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Duration(attempt) * 20 * time.Millisecond):
			}
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case size, ok := <-streams.Resize:
			if !ok {
				return
			}
			if err := resize(size); err != nil {
				c.log.Debug("resize tty: " + err.Error())
			}
		}
	}
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
