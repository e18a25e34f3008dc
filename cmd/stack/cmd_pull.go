package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

type pullOptions struct {
	Parallel       int
	IgnoreFailures bool
}

func newPullCmd(g *globalOptions) *cobra.Command {
	var opts pullOptions
	cmd := &cobra.Command{
		Use:   "pull [service...]",
		Short: "Pull the images of services",
		Long: `Pull the images of services that name one (all of them, or the named
ones), each image once. A service that is also built may not have its
image in a registry yet; its failed pull is only a warning.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPull(cmd.Context(), g, opts, args)
		},
	}
	cmd.Flags().IntVar(&opts.Parallel, "parallel", engine.DefaultImageParallel, "pulls in flight at once")
	cmd.Flags().BoolVar(&opts.IgnoreFailures, "ignore-pull-failures", false, "warn of an image that cannot be pulled and pull the others")
	return cmd
}

func runPull(ctx context.Context, g *globalOptions, opts pullOptions, services []string) error {
	p, e, done, err := g.stackEngine(services...)
	if err != nil {
		return err
	}
	defer done()
	return e.Pull(ctx, p, services, engine.ImageOptions{Parallel: opts.Parallel, IgnorePullFailures: opts.IgnoreFailures})
}
