package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
)

type buildOptions struct {
	NoCache  bool
	Parallel int
	Quiet    bool // print only the image IDs
	// BuildArgs override the services' build args: KEY=value, or KEY for
	// our environment's value.
	BuildArgs []string
	Push      bool
	Pull      bool
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
	f.StringArrayVar(&opts.BuildArgs, "build-arg", nil, "set a build arg, KEY=value or KEY for ours (repeatable)")
	f.BoolVar(&opts.Push, "push", false, "push the built images to their registries")
	f.BoolVar(&opts.Pull, "pull", false, "pull newer versions of the base images first")
	return cmd
}

func runBuild(ctx context.Context, g *globalOptions, opts buildOptions, services []string) error {
	args, err := envFlags(opts.BuildArgs)
	if err != nil {
		return fmt.Errorf("--build-arg: %w", err)
	}
	p, e, done, err := g.stackEngine(services...)
	if err != nil {
		return err
	}
	defer done()
	setBuildArgs(p, services, args)
	ids, err := e.Build(ctx, p, services, engine.ImageOptions{Build: true, NoCache: opts.NoCache, Parallel: opts.Parallel, PullParent: opts.Pull})
	if err == nil && opts.Push {
		err = e.Push(ctx, p, services)
	}
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

// setBuildArgs sets --build-arg values on the build of each named service
// (all when none are named), as Compose does.
func setBuildArgs(p *spec.Project, services []string, args []string) {
	for name, s := range p.Services {
		if s.Build == nil || len(services) > 0 && !slices.Contains(services, name) {
			continue
		}
		for _, kv := range args {
			k, v, _ := strings.Cut(kv, "=")
			if s.Build.Args == nil {
				s.Build.Args = map[string]string{}
			}
			s.Build.Args[k] = v
		}
	}
}
