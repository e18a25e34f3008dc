package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

type buildOptions struct {
	NoCache  bool
	Parallel int
	Quiet    bool // print only the image IDs
}

func newBuildCmd(g *globalOptions) *cobra.Command {
	var opts buildOptions
	cmd := &cobra.Command{
		Use:   "build [service...]",
		Short: "Build the images of services that have a build section",
		Long: `Build the images of services with a build section (all of them, or the
named ones), even when their context is unchanged. Services sharing the
same context, Dockerfile and build config are built once.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBuild(cmd.Context(), g, opts, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.NoCache, "no-cache", false, "build without the builder's cache")
	f.IntVar(&opts.Parallel, "parallel", engine.DefaultImageParallel, "builds in flight at once")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "print only service=image-id lines")
	return cmd
}

func runBuild(ctx context.Context, g *globalOptions, opts buildOptions, services []string) error {
	p, e, done, err := g.stackEngine(services...)
	if err != nil {
		return err
	}
	defer done()
	ids, err := e.Build(ctx, p, services, engine.ImageOptions{Build: true, NoCache: opts.NoCache, Parallel: opts.Parallel})
	done()
	if err != nil {
		return err
	}
	if opts.Quiet {
		for _, name := range p.ServiceNames() {
			if id, ok := ids[name]; ok {
				fmt.Fprintf(g.stdout, "%s=%s\n", name, id)
			}
		}
	}
	return nil
}
