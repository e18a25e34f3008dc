package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

type attachOptions struct {
	Index    int
	NoStdin  bool
	SigProxy bool
}

func newAttachCmd(g *globalOptions) *cobra.Command {
	var opts attachOptions
	cmd := &cobra.Command{
		Use:   "attach SERVICE",
		Short: "Attach this terminal to a running service container",
		Long: `Attach stdin, stdout and stderr to a running service container until it
exits; stack exits with its code. Ctrl-C is passed on to the container as
SIGINT (--sig-proxy, the default); with --sig-proxy=false it detaches and
the container runs on.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAttach(cmd.Context(), g, opts, args[0])
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Index, "index", 0, "replica of the service (default 1)")
	f.BoolVar(&opts.NoStdin, "no-stdin", false, "do not attach stdin")
	f.BoolVar(&opts.SigProxy, "sig-proxy", true, "pass Ctrl-C on to the container as SIGINT")
	return cmd
}

func runAttach(ctx context.Context, g *globalOptions, opts attachOptions, service string) error {
	project, p, e, done, err := g.projectEngine()
	if err != nil {
		return err
	}
	defer done()
	if err := g.checkServices(ctx, project, p, e, []string{service}); err != nil {
		return err
	}
	// The streams are raw with a TTY, multiplexed without: they must
	// match the container's, which the stack file says.
	tty := p != nil && p.Services[service] != nil && p.Services[service].Tty
	local := newLocalTerminal(g, tty)
	if tty && !local.streams.Tty {
		return errors.New("the service has a TTY: attach from a terminal")
	}
	local.streams.Tty = tty
	if opts.NoStdin {
		local.streams.Stdin = nil
	}
	restore, err := local.makeRaw()
	if err != nil {
		return err
	}
	defer restore()
	var (
		attachCtx   context.Context
		signals     <-chan string
		stopSignals func()
	)
	if opts.SigProxy && !tty {
		var attached atomic.Bool
		attached.Store(true)
		attachCtx, signals, stopSignals = passInterrupts(ctx, &attached, g.stderr)
	} else {
		attachCtx, _, stopSignals = interrupts(ctx)
	}
	defer stopSignals()
	done()
	code, err := e.Attach(attachCtx, project, service, engine.AttachServiceOptions{Index: opts.Index, Streams: local.streams, Signals: signals})
	restore()
	switch {
	case errors.Is(err, engine.ErrDetached):
		fmt.Fprintln(g.stderr, "detached; the container runs on")
		return nil
	case err != nil:
		return err
	case code != 0:
		return exitError{code: code}
	}
	return nil
}
