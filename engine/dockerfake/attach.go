package dockerfake

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/stack-dev/stack/engine"
)

// ExecAttach runs opts.Cmd in a running container by asking the OnExec
// function, writes its output to opts.Stdout and returns its exit code. It
// records opts (see Execs); stdin is drained, as a command reading all of
// its input would.
func (f *Fake) ExecAttach(ctx context.Context, id string, opts engine.ExecOptions) (int, error) {
	f.mu.Lock()
	f.call("ExecAttach")
	c, err := f.container(id)
	if err != nil {
		f.mu.Unlock()
		return 0, fmt.Errorf("exec in container %s: %w", id, err)
	}
	if c.State != "running" {
		f.mu.Unlock()
		return 0, fmt.Errorf("exec in container %s: container is not running: %w", id, engine.ErrConflict)
	}
	rec := opts
	rec.Cmd, rec.Env = slices.Clone(opts.Cmd), slices.Clone(opts.Env)
	rec.Stdin, rec.Stdout, rec.Stderr, rec.Resize = nil, nil, nil, nil
	f.execs = append(f.execs, rec)
	fn, snap := f.onExec, c.snapshot()
	f.mu.Unlock()

	if opts.Stdin != nil {
		if _, err := io.Copy(io.Discard, opts.Stdin); err != nil {
			return 0, fmt.Errorf("exec in container %s: read stdin: %w", id, err)
		}
	}
	if fn == nil {
		return 0, nil
	}
	res, err := fn(snap, opts.Cmd)
	if err != nil {
		return 0, err
	}
	if opts.Stdout != nil {
		if _, err := io.WriteString(opts.Stdout, res.Output); err != nil {
			return 0, fmt.Errorf("exec in container %s: write output: %w", id, err)
		}
	}
	return res.ExitCode, nil
}

// Execs returns the options of every ExecAttach so far, without streams.
func (f *Fake) Execs() []engine.ExecOptions {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.execs)
}

// ContainerAttach attaches to a container that has not started yet; the
// returned wait blocks until it starts, then delivers its log output (to
// Stdout only with a TTY, as a terminal merges the two) until it stops.
func (f *Fake) ContainerAttach(ctx context.Context, id string, opts engine.AttachOptions) (func() error, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ContainerAttach")
	c, err := f.container(id)
	if err != nil {
		return nil, fmt.Errorf("attach to container %s: %w", id, err)
	}
	stdout, stderr := orDiscard(opts.Stdout), orDiscard(opts.Stderr)
	if opts.Tty {
		stderr = stdout
	}
	return func() error {
		if err := f.waitStarted(ctx, c); err != nil {
			return fmt.Errorf("attach to container %s: %w", id, err)
		}
		if err := f.followLogs(ctx, c, stdout, stderr); err != nil {
			return fmt.Errorf("attach to container %s: %w", id, err)
		}
		return nil
	}, nil
}

// waitStarted blocks until c has been started (it may have exited since)
// or removed.
func (f *Fake) waitStarted(ctx context.Context, c *FakeContainer) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c.StartedAt.IsZero() && c.State != "removed" {
		changed := c.changed
		f.mu.Unlock()
		select {
		case <-ctx.Done():
			f.mu.Lock()
			return ctx.Err()
		case <-changed:
		}
		f.mu.Lock()
	}
	return nil
}

// followLogs writes c's log lines as they come until c stops running and
// every line is written, or ctx ends.
func (f *Fake) followLogs(ctx context.Context, c *FakeContainer, stdout, stderr io.Writer) error {
	next := 0
	for {
		f.mu.Lock()
		lines := slices.Clone(c.logs[next:])
		next = len(c.logs)
		running, changed := c.State == "running", c.changed
		f.mu.Unlock()
		if err := writeLogs(lines, false, stdout, stderr); err != nil {
			return err
		}
		if len(lines) > 0 {
			continue
		}
		if !running {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
