package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

type waitOptions struct {
	DownProject bool
}

func newWaitCmd(g *globalOptions) *cobra.Command {
	var opts waitOptions
	cmd := &cobra.Command{
		Use:   "wait SERVICE...",
		Short: "Block until the services' containers stop; exit with the first one's exit code",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWait(cmd.Context(), g, opts, args)
		},
	}
	cmd.Flags().BoolVar(&opts.DownProject, "down-project", false, "remove the project (as down) once the first container stops")
	return cmd
}

func runWait(ctx context.Context, g *globalOptions, opts waitOptions, services []string) error {
	project, e, done, err := g.serviceEngine(ctx, services)
	if err != nil {
		return err
	}
	done()
	_, code, err := e.WaitExit(ctx, project, services, opts.DownProject)
	if err != nil {
		return err
	}
	if opts.DownProject {
		e, done, err := g.withProgress(e)
		if err != nil {
			return err
		}
		defer done()
		if err := e.Down(ctx, project, engine.DownOptions{}); err != nil {
			return err
		}
	}
	if code != 0 {
		return exitError{code: code}
	}
	return nil
}
