package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/spec"
)

// graphOptions are the flags of `stack graph`.
type graphOptions struct {
	Format string // text, dot or mermaid
}

func newGraphCmd(g *globalOptions) *cobra.Command {
	var opts graphOptions
	cmd := &cobra.Command{
		Use:   "graph",
		Short: "Show the services' dependency graph (text, dot or mermaid)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGraph(cmd.Context(), g, opts, g.stdout)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output format: text, dot or mermaid")
	return cmd
}

func runGraph(ctx context.Context, g *globalOptions, opts graphOptions, out io.Writer) error {
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	s, err := spec.RenderGraph(p, opts.Format)
	if err != nil {
		return err
	}
	_, err = io.WriteString(out, s)
	return err
}
