package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// AttachServiceOptions tune `attach`.
type AttachServiceOptions struct {
	Index int // replica, 0: 1
	Streams
	// Signals, when set, are passed on to the container (--sig-proxy).
	Signals <-chan string
}

// ErrDetached is returned by Attach when ctx ended before the container:
// the container runs on.
var ErrDetached = errors.New("detached")

// Attach wires streams to a running service container until it exits,
// and returns its exit code; if ctx ends first, it detaches and returns
// ErrDetached.
func (e *Engine) Attach(ctx context.Context, project, service string, opts AttachServiceOptions) (int, error) {
	c, err := e.replica(ctx, project, service, opts.Index)
	if err != nil {
		return 0, err
	}
	if !c.Running() {
		return 0, fmt.Errorf("cannot attach to %s: it is %s; start it with `stack start %s`", c.Name, c.State, service)
	}
	attachCtx, detach := context.WithCancel(ctx)
	defer detach()
	wait, err := e.docker.ContainerAttach(attachCtx, c.ID, AttachOptions{Streams: opts.Streams})
	if err != nil {
		return 0, fmt.Errorf("attach to %s: %w", c.Name, err)
	}
	if opts.Signals != nil {
		go e.forwardSignals(attachCtx, c.ID, opts.Signals)
	}
	streamDone := make(chan error, 1)
	go func() { streamDone <- wait() }()
	select {
	case <-ctx.Done():
		return 0, ErrDetached
	case <-streamDone:
	}
	// The output ended: the container is exiting.
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	code, err := e.docker.ContainerWait(waitCtx, c.ID)
	if err != nil {
		if ctx.Err() != nil {
			return 0, ErrDetached
		}
		return 0, fmt.Errorf("attach to %s: %w", c.Name, err)
	}
	return code, nil
}
