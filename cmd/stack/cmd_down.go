package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

type downOptions struct {
	Volumes       bool
	Timeout       *time.Duration // nil: each service's stop_grace_period
	RemoveOrphans bool
}

func newDownCmd(g *globalOptions) *cobra.Command {
	var opts downOptions
	cmd := &cobra.Command{
		Use:   "down [service...]",
		Short: "Stop and remove the stack's containers and networks",
		Long: `Stop and remove the stack's containers, dependents first, then its
networks. Named volumes are kept unless -v. Works from labels alone: with -p
no stack file is needed. With service names only their containers go;
networks and volumes are kept.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.RemoveOrphans = opts.RemoveOrphans || g.RemoveOrphans
			return runDown(cmd.Context(), g, opts, args)
		},
	}
	cmd.Flags().BoolVarP(&opts.Volumes, "volumes", "v", false, "also remove the stack's named volumes")
	addStopTimeoutFlag(cmd.Flags(), &opts.Timeout, "stop timeout")
	cmd.Flags().BoolVar(&opts.RemoveOrphans, "remove-orphans", false, "also remove containers of services that are no longer in the stack file")
	return cmd
}

func runDown(ctx context.Context, g *globalOptions, opts downOptions, services []string) error {
	project, p, e, done, err := g.projectEngine()
	if err != nil {
		return err
	}
	defer done()
	if err := g.checkServices(ctx, project, p, e, services); err != nil {
		return err
	}
	down := engine.DownOptions{Volumes: opts.Volumes, RemoveOrphans: opts.RemoveOrphans, Timeout: opts.Timeout, Services: services}
	if p != nil {
		down.Project = p
		down.Known = map[string]bool{}
		for name := range p.Services {
			down.Known[name] = true
		}
		for name := range p.Disabled {
			down.Known[name] = true
		}
	}
	return e.Down(ctx, project, down)
}
