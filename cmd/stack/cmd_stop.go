package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

type stopOptions struct {
	Timeout *time.Duration // nil: each service's stop_grace_period
}

func newStopCmd(g *globalOptions) *cobra.Command {
	var opts stopOptions
	cmd := &cobra.Command{
		Use:   "stop [service...]",
		Short: "Stop running containers without removing them",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runStop(cmd.Context(), g, opts, args)
		},
	}
	addStopTimeoutFlag(cmd.Flags(), &opts.Timeout, "stop timeout")
	return cmd
}

func runStop(ctx context.Context, g *globalOptions, opts stopOptions, services []string) error {
	project, e, done, err := g.serviceEngine(ctx, services)
	if err != nil {
		return err
	}
	defer done()
	return e.Stop(ctx, project, engine.StopOptions{Services: services, Timeout: opts.Timeout, Project: g.loaded})
}
