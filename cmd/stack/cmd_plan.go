package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

func newPlanCmd(g *globalOptions) *cobra.Command {
	var scale []string
	cmd := &cobra.Command{
		Use:   "plan [service...]",
		Short: "Show what `up` would change, and why",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPlan(cmd.Context(), g, scale, args)
		},
	}
	cmd.Flags().StringArrayVar(&scale, "scale", nil, "plan with the replicas of a service set, svc=N (repeatable)")
	return cmd
}

func runPlan(ctx context.Context, g *globalOptions, scaleFlags []string, services []string) error {
	scale, err := parseScale(scaleFlags)
	if err != nil {
		return err
	}
	p, e, done, err := g.stackEngine(services...)
	if err != nil {
		return err
	}
	defer done()
	plan, err := e.Plan(ctx, p, engine.PlanOptions{Services: services, Scale: scale})
	if err != nil {
		return err
	}
	return plan.Write(g.stdout)
}
