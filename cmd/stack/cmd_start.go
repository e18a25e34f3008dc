package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

func newStartCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "start [service...]",
		Short: "Start the stack's stopped containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runStart(cmd.Context(), g, args)
		},
	}
}

func runStart(ctx context.Context, g *globalOptions, services []string) error {
	project, _, e, done, err := g.projectEngine()
	if err != nil {
		return err
	}
	defer done()
	return e.Start(ctx, project, services)
}

func newRestartCmd(g *globalOptions) *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "restart [service...]",
		Short: "Stop and start the stack's containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRestart(cmd.Context(), g, timeout, args)
		},
	}
	cmd.Flags().DurationVarP(&timeout, "timeout", "t", 0, "stop timeout (default: each service's stop_grace_period)")
	return cmd
}

func runRestart(ctx context.Context, g *globalOptions, timeout time.Duration, services []string) error {
	project, _, e, done, err := g.projectEngine()
	if err != nil {
		return err
	}
	defer done()
	opts := engine.StopOptions{Services: services}
	if timeout > 0 {
		opts.Timeout = &timeout
	}
	return e.Restart(ctx, project, opts)
}
