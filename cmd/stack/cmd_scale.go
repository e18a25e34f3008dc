package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/swarm"
)

func newScaleCmd(g *globalOptions) *cobra.Command {
	var wait, noDeps, onSwarm bool
	cmd := &cobra.Command{
		Use:   "scale service=N...",
		Short: "Set the number of containers of services",
		Long: `Set the number of containers of services. Scaling down removes the
highest-numbered replicas; scaling up fills the lowest free numbers. Other
containers are left as they are. The count holds until the next plain
` + "`stack up`" + `, which goes back to the replicas in the stack file.

Of a stack deployed to a swarm (stack deploy), with --swarm or when the
project has no containers but the swarm has services of it: the replicas
of its services; the next ` + "`stack deploy`" + ` goes back to the file's.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScale(cmd.Context(), g, wait, noDeps, onSwarm, args)
		},
	}
	cmd.Flags().BoolVar(&onSwarm, "swarm", false, "scale the services of the stack deployed to the swarm")
	cmd.Flags().BoolVar(&wait, "wait", false, "wait until the new replicas are running (healthy where they have a healthcheck)")
	cmd.Flags().BoolVar(&noDeps, "no-deps", false, "do not start the services' dependencies")
	return cmd
}

func runScale(ctx context.Context, g *globalOptions, wait, noDeps, onSwarm bool, args []string) error {
	if len(args) == 0 {
		return errors.New("scale: name at least one service=N")
	}
	scale, err := parseScale(args)
	if err != nil {
		return err
	}
	if done, err := scaleOnSwarm(ctx, g, wait, onSwarm, scale); done || err != nil {
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

// scaleOnSwarm scales a stack deployed to the swarm, if that is what
// scale works on; done says it did.
func scaleOnSwarm(ctx context.Context, g *globalOptions, wait, force bool, scale map[string]int) (done bool, err error) {
	project, _, e, stop, err := g.projectEngine()
	if err != nil {
		return false, err
	}
	defer stop()
	sw, closeSwarm, err := g.swarmTarget(ctx, project, force, e)
	if err != nil || sw == nil {
		return false, err
	}
	defer closeSwarm()
	replicas := map[string]uint64{}
	for name, n := range scale {
		replicas[name] = uint64(n)
	}
	if g.DryRun {
		for _, name := range slices.Sorted(maps.Keys(scale)) {
			fmt.Fprintf(g.stderr, "dry-run: would scale service %s_%s of the swarm to %d\n", project, name, scale[name])
		}
		return true, nil
	}
	return true, swarm.Scale(ctx, sw, project, replicas, swarm.ScaleOptions{Wait: wait})
}
