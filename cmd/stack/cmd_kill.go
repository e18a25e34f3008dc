package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

type killOptions struct {
	Signal string
}

func newKillCmd(g *globalOptions) *cobra.Command {
	var opts killOptions
	cmd := &cobra.Command{
		Use:   "kill [service...]",
		Short: "Send a signal (default SIGKILL) to the stack's running containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runKill(cmd.Context(), g, opts, args)
		},
	}
	cmd.Flags().StringVarP(&opts.Signal, "signal", "s", "SIGKILL", "signal to send: a name (SIGTERM, TERM) or a number")
	return cmd
}

func runKill(ctx context.Context, g *globalOptions, opts killOptions, services []string) error {
	project, e, done, err := g.serviceEngine(ctx, services)
	if err != nil {
		return err
	}
	defer done()
	n, err := e.Kill(ctx, project, engine.KillOptions{Services: services, Signal: opts.Signal})
	if err == nil && n == 0 {
		done()
		fmt.Fprintln(g.stderr, "no container to kill")
	}
	return err
}
