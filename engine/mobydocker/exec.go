package mobydocker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"

	"github.com/stack-dev/stack/engine"
)

// maxExecOutput caps what Exec keeps of a command's output.
const maxExecOutput = 64 << 10

// Exec runs cmd in a running container without a TTY and returns its exit
// code and combined output.
func (c *Client) Exec(ctx context.Context, id string, cmd []string) (res engine.ExecResult, err error) {
	defer c.trace("Exec", id+" "+strings.Join(cmd, " "))(&err)
	created, err := c.api.ExecCreate(ctx, id, client.ExecCreateOptions{Cmd: cmd, AttachStdout: true, AttachStderr: true})
	if err != nil {
		return engine.ExecResult{}, apiErr("exec in container "+id, err)
	}
	attached, err := c.api.ExecAttach(ctx, created.ID, client.ExecAttachOptions{})
	if err != nil {
		return engine.ExecResult{}, apiErr("exec in container "+id, err)
	}
	defer attached.Close()

	// Closing the connection when ctx ends unblocks the copy.
	stop := context.AfterFunc(ctx, attached.Close)
	defer stop()
	out := &cappedBuffer{max: maxExecOutput}
	if _, err := stdcopy.StdCopy(out, out, attached.Reader); err != nil && !errors.Is(err, io.EOF) {
		if ctx.Err() != nil {
			return engine.ExecResult{}, fmt.Errorf("exec in container %s: %w", id, ctx.Err())
		}
		return engine.ExecResult{}, fmt.Errorf("exec in container %s: read output: %w", id, err)
	}

	code, err := c.execExitCode(ctx, created.ID)
	if err != nil {
		return engine.ExecResult{}, fmt.Errorf("exec in container %s: %w", id, err)
	}
	return engine.ExecResult{ExitCode: code, Output: out.String()}, nil
}

// execExitCode inspects a finished exec. The daemon may still report it
// running for a moment after its output stream ended, so it polls briefly.
func (c *Client) execExitCode(ctx context.Context, execID string) (code int, err error) {
	defer c.trace("ExecInspect", execID)(&err)
	for {
		res, err := c.api.ExecInspect(ctx, execID, client.ExecInspectOptions{})
		if err != nil {
			return 0, apiErr("inspect exec", err)
		}
		if !res.Running {
			return res.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// cappedBuffer keeps the first max bytes written and drops the rest, while
// reporting every write as complete so the stream is still drained.
type cappedBuffer struct {
	strings.Builder
	max int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		if len(p) > room {
			b.Builder.Write(p[:room])
		} else {
			b.Builder.Write(p)
		}
	}
	return len(p), nil
}
