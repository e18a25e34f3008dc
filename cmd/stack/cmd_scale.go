package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

func newScaleCmd(g *globalOptions) *cobra.Command {
	var wait, noDeps bool
	cmd := &cobra.Command{
		Use:   "scale service=N...",
		Short: "Set the number of containers of services",
		Long: `Set the number of containers of services. Scaling down removes the
highest-numbered replicas; scaling up fills the lowest free numbers. Other
containers are left as they are. The count holds until the next plain
` + "`stack up`" + `, which goes back to the replicas in the stack file.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScale(cmd.Context(), g, wait, noDeps, args)
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "wait until the new replicas are running (healthy where they have a healthcheck)")
	cmd.Flags().BoolVar(&noDeps, "no-deps", false, "do not start the services' dependencies")
	return cmd
}

func runScale(ctx context.Context, g *globalOptions, wait, noDeps bool, args []string) error {
	if len(args) == 0 {
		return errors.New("scale: name at least one service=N")
	}
	scale, err := parseScale(args)
	if err != nil {
		return err
	}
	p, err := g.loadProject(slices.Collect(maps.Keys(scale))...)
	if err != nil {
		return err
	}
	var services []string
	for name := range scale {
		if _, ok := p.Services[name]; !ok {
			return fmt.Errorf("no such service: %s", name)
		}
		services = append(services, name)
	}
	e, done, err := g.newEngine()
	if err != nil {
		return err
	}
	defer done()
	_, err = e.Up(ctx, p, engine.UpOptions{
		Plan: engine.PlanOptions{Services: services, Scale: scale, NoRecreate: true, NoDeps: noDeps},
		Wait: wait,
	})
	return err
}
