package main

import (
	"context"

	"github.com/spf13/cobra"
)

func newPushCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "push [service...]",
		Short: "Push the built images of services to their registries",
		Long: `Push the images of services that have both a build section and an image
name (all of them, or the named ones). Build them first with stack build.
Credentials come from the Docker config (docker login).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPush(cmd.Context(), g, args)
		},
	}
}

func runPush(ctx context.Context, g *globalOptions, services []string) error {
	p, e, done, err := g.stackEngine(services...)
	if err != nil {
		return err
	}
	defer done()
	return e.Push(ctx, p, services)
}
