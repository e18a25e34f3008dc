package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/mobydocker"
	"github.com/stack-dev/stack/spec"
	"github.com/stack-dev/stack/swarm"
)

type deployOptions struct {
	wait        bool
	waitTimeout time.Duration
	prune       bool
	dryRun      bool
	build       bool
	noPush      bool
}

func newDeployCmd(g *globalOptions) *cobra.Command {
	var o deployOptions
	cmd := &cobra.Command{
		Use:   "deploy [service...]",
		Short: "Create or update the stack as services of a Docker Swarm",
		Long: `Create or update the stack as services of the swarm the engine is a
manager of, named and labelled as ` + "`docker stack deploy`" + ` names them
(<project>_<name>), so the docker CLI's stack verbs see it. Services are
created in dependency order; a service whose depends_on asks for a healthy
or completed dependency is created once the dependency's tasks are healthy
or its job is complete. An unchanged service is left alone. Keys a swarm
cannot honour are refused, or listed with what deploy does about them
(--dry-run, or the global one, lists them all and changes nothing). The
engine must be a swarm manager (docker swarm init); --build checks that
before it builds.

The swarm runs the images as named. With --build, the services' images are
built on this engine first, and those whose name has a registry
(registry.example.com/app, 127.0.0.1:5000/app) pushed to it, so every node
can pull them; --no-push keeps them on this engine (a single-node swarm).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDeploy(cmd.Context(), g, o, args)
		},
	}
	cmd.Flags().BoolVar(&o.wait, "wait", false, "wait until every service has its replicas running and healthy, or its job complete")
	cmd.Flags().DurationVar(&o.waitTimeout, "wait-timeout", 0, "give up waiting for a service after this long (0: no limit)")
	cmd.Flags().BoolVar(&o.prune, "prune", false, "remove services of the stack the file no longer has")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "list what deploy would do and the keys a swarm cannot honour; change nothing")
	cmd.Flags().BoolVar(&o.build, "build", false, "build the images first, and push those whose name has a registry")
	cmd.Flags().BoolVar(&o.noPush, "no-push", false, "with --build, push nothing")
	return cmd
}

func runDeploy(ctx context.Context, g *globalOptions, o deployOptions, services []string) error {
	p, err := g.loadProject(services...)
	if err != nil {
		return err
	}
	if o.noPush && !o.build {
		return errors.New("--no-push goes with --build")
	}
	// The global --dry-run (stack --dry-run deploy) is deploy's own.
	o.dryRun = o.dryRun || g.DryRun
	c, err := mobydocker.New(g.log)
	if err != nil {
		return err
	}
	defer c.Close()
	if o.build && !o.dryRun {
		// Refused keys, and an engine that is no swarm manager, stop the
		// deploy before anything is built or pushed.
		if _, err := swarm.Check(p, services); err != nil {
			return deployError(g, err)
		}
		if err := swarm.NeedManager(ctx, c.Swarm()); err != nil {
			return err
		}
		if err := buildAndPush(ctx, g, p, services, !o.noPush); err != nil {
			return err
		}
	}
	res, err := swarm.Deploy(ctx, c.Swarm(), p, swarm.DeployOptions{
		Services: services, Wait: o.wait, WaitTimeout: o.waitTimeout,
		Prune: o.prune, DryRun: o.dryRun, Out: g.stdout, Built: o.build,
	})
	if err != nil {
		return deployError(g, err)
	}
	if !o.dryRun {
		for _, n := range res.Notes {
			fmt.Fprintln(g.stderr, "note: "+n.String())
		}
	}
	return nil
}

// deployError prints keys a swarm cannot honour as bad input (exit 2).
func deployError(g *globalOptions, err error) error {
	var notes *swarm.NotesError
	if errors.As(err, &notes) {
		fmt.Fprintln(g.stderr, "error: "+err.Error())
		return exitError{code: 2}
	}
	return err
}

// buildAndPush builds the images of the services (or all) that have a
// build section and, with push, pushes those whose name has a registry.
func buildAndPush(ctx context.Context, g *globalOptions, p *spec.Project, services []string, push bool) error {
	e, done, err := g.newEngine()
	if err != nil {
		return err
	}
	defer done()
	if _, err := e.Build(ctx, p, services, engine.ImageOptions{}); err != nil {
		return err
	}
	if !push {
		return nil
	}
	pushed := engine.RegistryBuilt(p, services)
	if len(pushed) == 0 {
		return nil
	}
	return e.Push(ctx, p, pushed)
}

func newUndeployCmd(g *globalOptions) *cobra.Command {
	var volumes bool
	cmd := &cobra.Command{
		Use:   "undeploy",
		Short: "Remove the stack's services, networks, secrets and configs from the swarm",
		Long: `Remove everything of the stack on the swarm (whether stack or
` + "`docker stack deploy`" + ` deployed it): services, then secrets, configs and
networks. With -v, also the stack's volumes on this node (a swarm keeps a
volume on each node a task ran on). With the global --dry-run it lists what
it would remove and removes nothing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runUndeploy(cmd.Context(), g, volumes)
		},
	}
	cmd.Flags().BoolVarP(&volumes, "volumes", "v", false, "also remove the stack's volumes on this node")
	return cmd
}

func runUndeploy(ctx context.Context, g *globalOptions, volumes bool) error {
	project, _, err := g.projectName()
	if err != nil {
		return err
	}
	c, err := mobydocker.New(g.log)
	if err != nil {
		return err
	}
	defer c.Close()
	removed, err := swarm.Undeploy(ctx, c.Swarm(), project, swarm.UndeployOptions{Out: g.stdout, DryRun: g.DryRun})
	if err != nil {
		return err
	}
	if len(removed) == 0 {
		fmt.Fprintf(g.stderr, "nothing of stack %s on the swarm\n", project)
	}
	if !volumes {
		return nil
	}
	vols, err := c.VolumeList(ctx, map[string]string{swarm.LabelNamespace: project})
	if err != nil {
		return err
	}
	for _, v := range vols {
		if g.DryRun {
			fmt.Fprintf(g.stdout, "remove volume %s\n", v.Name)
			continue
		}
		// A task's container goes a moment after its service.
		var rerr error
		for range 80 {
			if rerr = c.VolumeRemove(ctx, v.Name); rerr == nil {
				break
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(250 * time.Millisecond):
			}
		}
		if rerr != nil {
			return fmt.Errorf("remove volume %s: %w", v.Name, rerr)
		}
		fmt.Fprintf(g.stdout, "remove volume %s\n", v.Name)
	}
	return nil
}
