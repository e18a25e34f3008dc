package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newTopCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "top [service...]",
		Short: "Show the processes of the stack's running containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTop(cmd.Context(), g, args)
		},
	}
}

// runTop prints each container's name, then its processes as a table, a
// blank line between containers, as docker compose top does.
func runTop(ctx context.Context, g *globalOptions, services []string) error {
	project, e, done, err := g.serviceEngine(ctx, services)
	if err != nil {
		return err
	}
	defer done()
	tops, err := e.Top(ctx, project, services)
	if err != nil {
		return err
	}
	done()
	for i, t := range tops {
		if i > 0 {
			fmt.Fprintln(g.stdout)
		}
		fmt.Fprintln(g.stdout, t.Name)
		tw := tabwriter.NewWriter(g.stdout, 0, 0, 3, ' ', 0)
		fmt.Fprintln(tw, strings.Join(t.Titles, "\t"))
		for _, p := range t.Processes {
			fmt.Fprintln(tw, strings.Join(p, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}
