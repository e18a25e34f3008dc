package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/internal/ui"
)

type exportOptions struct {
	Index  int
	Output string
}

func newExportCmd(g *globalOptions) *cobra.Command {
	var opts exportOptions
	cmd := &cobra.Command{
		Use:   "export SERVICE",
		Short: "Export a service container's filesystem as a tar archive, or the stack to Kubernetes",
		Long: `Export a service container's filesystem as a tar archive, as docker compose
export does; ` + "`stack export kubernetes`" + ` exports the stack as Kubernetes manifests.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			err := runExport(cmd.Context(), g, opts, args[0])
			// A mistyped `export kubernetes` is taken for a service.
			if err != nil && strings.HasPrefix(err.Error(), "no such service") {
				if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
					return fmt.Errorf("%w\ndid you mean \"export %s\"?", err, s[0])
				}
			}
			return err
		},
	}
	cmd.AddCommand(newExportKubeCmd(g))
	cmd.SuggestionsMinimumDistance = 2
	cmd.Flags().IntVar(&opts.Index, "index", 0, "replica of the service (default 1)")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write to this file instead of stdout")
	return cmd
}

func runExport(ctx context.Context, g *globalOptions, opts exportOptions, service string) error {
	var out io.Writer = g.stdout
	if opts.Output == "" && ui.IsTerminal(g.stdout) {
		return errors.New("refusing to write a tar to the terminal; use -o FILE or redirect stdout")
	}
	project, e, done, err := g.serviceEngine(ctx, []string{service})
	if err != nil {
		return err
	}
	defer done()
	if opts.Output != "" {
		f, err := os.Create(opts.Output)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
		if err := e.Export(ctx, project, service, opts.Index, out); err != nil {
			return err
		}
		return f.Close()
	}
	return e.Export(ctx, project, service, opts.Index, out)
}
