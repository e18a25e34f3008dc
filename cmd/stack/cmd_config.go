package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
)

// configOptions are the flags of `stack config`.
type configOptions struct {
	Format   string // yaml, json or hcl
	Services bool   // print only the service names
	Quiet    bool   // validate only
	Volumes  bool   // print only the volume keys
	Images   bool   // print only the services' image names
	Hash     string // "*" or service names, comma-separated: print their config hashes

	NoInterpolate, NoConsistency bool
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
	f.BoolVar(&opts.Volumes, "volumes", false, "print the volume names, one a line")
	f.StringVar(&opts.Hash, "hash", "", `print the config hash of these services ("*" for all, or names joined by commas): "service hash" lines`)
	f.BoolVar(&opts.Images, "images", false, "print the services' image names (a built one's default name), one a line")
	f.BoolVar(&opts.NoInterpolate, "no-interpolate", false, "leave ${VAR} in compose values as written")
	f.BoolVar(&opts.NoConsistency, "no-consistency", false, "skip the checks across the file (undefined networks, dependencies, ...); the output may not run")
	return cmd
}

func runConfig(ctx context.Context, g *globalOptions, opts configOptions, out io.Writer) error {
	switch opts.Format {
	case "yaml", "json", "hcl":
	default:
		return fmt.Errorf("--format %q: want yaml, json or hcl", opts.Format)
	}
	g.noInterpolate, g.noConsistency = opts.NoInterpolate, opts.NoConsistency
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
	if opts.Hash != "" {
		return writeConfigHashes(out, p, opts.Hash)
	}
	if opts.Volumes || opts.Images {
		return writeConfigLists(out, p, opts)
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

// writeConfigLists prints config --volumes or --images: one name a line.
func writeConfigLists(out io.Writer, p *spec.Project, opts configOptions) error {
	var lines []string
	if opts.Volumes {
		for key := range p.Volumes {
			lines = append(lines, key)
		}
		sort.Strings(lines)
	}
	if opts.Images {
		for _, name := range p.ServiceNames() {
			lines = append(lines, engine.ImageName(p, p.Services[name]))
		}
	}
	for _, l := range lines {
		if _, err := fmt.Fprintln(out, l); err != nil {
			return err
		}
	}
	return nil
}

// writeConfigHashes prints config --hash: "service hash" per service.
func writeConfigHashes(out io.Writer, p *spec.Project, which string) error {
	names := p.ServiceNames()
	if which != "*" {
		names = strings.Split(which, ",")
	}
	for _, name := range names {
		s := p.Services[name]
		if s == nil {
			return fmt.Errorf("--hash: no such service: %s", name)
		}
		if _, err := fmt.Fprintf(out, "%s %s\n", name, engine.ServiceConfigHash(p, s)); err != nil {
			return err
		}
	}
	return nil
}
