package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/spec"
)

// convertOptions are the arguments of `stack convert`.
type convertOptions struct {
	File   string // the compose file to convert
	Output string // "" for stdout
}

func newConvertCmd(g *globalOptions) *cobra.Command {
	var opts convertOptions
	cmd := &cobra.Command{
		Use:   "convert FILE",
		Short: "Convert a compose file to a stack.hcl",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			return runConvert(cmd.Context(), g, opts, g.stdout)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write the HCL to this file instead of stdout")
	return cmd
}

func runConvert(ctx context.Context, g *globalOptions, opts convertOptions, out io.Writer) error {
	lo, err := g.loadOptions()
	if err != nil {
		return err
	}
	lo.Files = []string{opts.File}
	// Every service is converted, including those behind profiles.
	lo.Profiles = []string{"*"}
	p, err := spec.Load(lo)
	if err != nil {
		return err
	}
	for _, w := range p.Warnings {
		fmt.Fprintln(g.stderr, "warning: "+w.String())
	}
	dir, err := os.Getwd()
	if err != nil {
		return err
	}
	if opts.Output != "" {
		if dir, err = filepath.Abs(filepath.Dir(opts.Output)); err != nil {
			return err
		}
	}
	b, err := spec.MarshalHCLIn(p, dir)
	if err != nil {
		return fmt.Errorf("convert %s: %w", opts.File, err)
	}
	if opts.Output == "" {
		_, err = out.Write(b)
		return err
	}
	if err := os.WriteFile(opts.Output, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", opts.Output, err)
	}
	return nil
}
