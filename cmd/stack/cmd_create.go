package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

type createOptions struct {
	Build         bool
	Pull          string
	ForceRecreate bool
	NoRecreate    bool
	Scale         []string
	Yes           bool
}

func newCreateCmd(g *globalOptions) *cobra.Command {
	var opts createOptions
	cmd := &cobra.Command{
		Use:   "create [service...]",
		Short: "Create the stack's containers without starting them",
		Long: `Do what up would, but start nothing: build or pull images, create networks,
volumes and the containers (replacing those whose configuration changed).
A later up or start starts them.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCreate(cmd.Context(), g, opts, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.Build, "build", false, "build images even if their context is unchanged")
	f.StringVar(&opts.Pull, "pull", "", "pull images: always, missing, never (default: each service's pull_policy)")
	f.BoolVar(&opts.ForceRecreate, "force-recreate", false, "recreate containers even if unchanged")
	f.BoolVar(&opts.NoRecreate, "no-recreate", false, "never recreate existing containers")
	f.StringArrayVar(&opts.Scale, "scale", nil, "set the replicas of a service, svc=N (repeatable)")
	f.BoolVarP(&opts.Yes, "yes", "y", false, "accepted for Docker Compose scripts; create asks nothing")
	return cmd
}

func runCreate(ctx context.Context, g *globalOptions, opts createOptions, services []string) error {
	if opts.ForceRecreate && opts.NoRecreate {
		return errors.New("--force-recreate and --no-recreate cannot be used together")
	}
	scale, err := parseScale(opts.Scale)
	if err != nil {
		return err
	}
	p, e, done, err := g.stackEngine(services...)
	if err != nil {
		return err
	}
	defer done()
	for name := range scale {
		if _, ok := p.Services[name]; !ok {
			return fmt.Errorf("--scale: no such service: %s", name)
		}
	}
	for _, name := range services {
		if _, ok := p.Services[name]; !ok {
			return fmt.Errorf("no such service: %s", name)
		}
	}
	_, err = e.Create(ctx, p, engine.CreateOptions{
		Plan:   engine.PlanOptions{Services: services, Scale: scale, ForceRecreate: opts.ForceRecreate, NoRecreate: opts.NoRecreate},
		Images: engine.ImageOptions{Build: opts.Build, Pull: opts.Pull},
	})
	return err
}
