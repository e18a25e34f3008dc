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
		Long: `Convert a compose file to a stack.hcl. Relative paths (build contexts,
bind mounts, secret and config files) are written relative to the folder of
the -o file or, when the HCL goes to stdout, to the compose file's folder:
save the output there.`,
		Args: cobra.ExactArgs(1),
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
	b, err := marshalConverted(p, opts.Output)
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

// marshalConverted renders the HCL for the output file's folder or, for
// stdout, the compose file's folder, where it is meant to be saved: an HCL
// file resolves relative paths against its own folder, not the current one.
func marshalConverted(p *spec.Project, output string) ([]byte, error) {
	if output == "" {
		return spec.MarshalHCL(p)
	}
	dir, err := filepath.Abs(filepath.Dir(output))
	if err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	return spec.MarshalHCLIn(p, dir)
}
