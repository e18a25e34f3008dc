package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/spec"
)

// configOptions are the flags of `stack config`.
type configOptions struct {
	Format   string // yaml, json or hcl
	Services bool   // print only the service names
	Quiet    bool   // validate only
}

func newConfigCmd(g *globalOptions) *cobra.Command {
	var opts configOptions
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Validate the stack and print it resolved (compose yaml/json or HCL)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfig(cmd.Context(), g, opts, g.stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Format, "format", "yaml", "output format: yaml, json or hcl")
	f.BoolVar(&opts.Services, "services", false, "print the service names, one a line")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "only validate, print nothing")
	return cmd
}

func runConfig(ctx context.Context, g *globalOptions, opts configOptions, out io.Writer) error {
	switch opts.Format {
	case "yaml", "json", "hcl":
	default:
		return fmt.Errorf("--format %q: want yaml, json or hcl", opts.Format)
	}
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	if opts.Quiet {
		return nil
	}
	if opts.Services {
		_, err := io.WriteString(out, strings.Join(p.ServiceNames(), "\n")+"\n")
		return err
	}
	var b []byte
	if opts.Format == "hcl" {
		b, err = spec.MarshalHCL(p)
	} else {
		b, err = spec.MarshalCompose(p, opts.Format)
	}
	if err != nil {
		return fmt.Errorf("render %s: %w", opts.Format, err)
	}
	_, err = out.Write(b)
	return err
}
