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
	project, e, done, err := g.serviceEngine(ctx, services)
	if err != nil {
		return err
	}
	defer done()
	return e.Start(ctx, project, services)
}

func newRestartCmd(g *globalOptions) *cobra.Command {
	var timeout *time.Duration
	cmd := &cobra.Command{
		Use:   "restart [service...]",
		Short: "Stop and start the stack's containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRestart(cmd.Context(), g, timeout, args)
		},
	}
	addStopTimeoutFlag(cmd.Flags(), &timeout, "stop timeout")
	return cmd
}

func runRestart(ctx context.Context, g *globalOptions, timeout *time.Duration, services []string) error {
	project, e, done, err := g.serviceEngine(ctx, services)
	if err != nil {
		return err
	}
	defer done()
	return e.Restart(ctx, project, engine.StopOptions{Services: services, Timeout: timeout})
}
