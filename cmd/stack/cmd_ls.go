package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

type lsOptions struct {
	All    bool
	Format string
	Quiet  bool
}

func newLsCmd(g *globalOptions) *cobra.Command {
	var opts lsOptions
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List the projects on the engine",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLs(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.All, "all", "a", false, "include projects with no running container")
	f.StringVar(&opts.Format, "format", "table", "output format: table or json")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "print project names only")
	return cmd
}

func runLs(ctx context.Context, g *globalOptions, opts lsOptions) error {
	if opts.Format != "table" && opts.Format != "json" {
		return fmt.Errorf("--format %q: want table or json", opts.Format)
	}
	e, done, err := g.newEngine()
	if err != nil {
		return err
	}
	done()
	rows, err := e.Projects(ctx, opts.All)
	if err != nil {
		return err
	}
	switch {
	case opts.Quiet:
		for _, r := range rows {
			fmt.Fprintln(g.stdout, r.Name)
		}
		return nil
	case opts.Format == "json":
		if rows == nil {
			rows = []engine.ProjectSummary{}
		}
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATUS\tCONFIG FILES")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Name, r.Status, r.ConfigFiles)
	}
	return tw.Flush()
}
