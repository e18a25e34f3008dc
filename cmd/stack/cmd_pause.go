package main

import (
	"github.com/spf13/cobra"
)

func newPauseCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "pause [service...]",
		Short: "Pause the stack's running containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			project, e, done, err := g.serviceEngine(cmd.Context(), args)
			if err != nil {
				return err
			}
			defer done()
			return e.Pause(cmd.Context(), project, args)
		},
	}
}

func newUnpauseCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "unpause [service...]",
		Short: "Resume the stack's paused containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			project, e, done, err := g.serviceEngine(cmd.Context(), args)
			if err != nil {
				return err
			}
			defer done()
			return e.Unpause(cmd.Context(), project, args)
		},
	}
}
