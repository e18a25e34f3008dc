package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

type stopOptions struct {
	Timeout time.Duration
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
	cmd.Flags().DurationVarP(&opts.Timeout, "timeout", "t", 0, "stop timeout (default: each service's stop_grace_period)")
	return cmd
}

func runStop(ctx context.Context, g *globalOptions, opts stopOptions, services []string) error {
	project, _, e, done, err := g.projectEngine()
	if err != nil {
		return err
	}
	defer done()
	stop := engine.StopOptions{Services: services}
	if opts.Timeout > 0 {
		stop.Timeout = &opts.Timeout
	}
	return e.Stop(ctx, project, stop)
}
