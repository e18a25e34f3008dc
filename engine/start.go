package engine

import (
	"context"
	"fmt"
)

// Start starts the project's stopped containers, dependencies first; the
// named services' stopped dependencies too, as in Compose (read from the
// depends_on labels, so no stack file is needed). It creates nothing: `up`
// does that.
func (e *Engine) Start(ctx context.Context, project string, services []string) error {
	obs, err := e.observe(ctx, project)
	if err != nil {
		return err
	}
	if len(services) > 0 {
		services = withLabelledDependencies(obs, services)
	}
	stopped := filterContainers(obs.Containers, services, func(c ObservedContainer) bool { return !c.Running() })
	if len(obs.Containers) == 0 {
		return fmt.Errorf("project %s has no containers; run `stack up` first", project)
	}
	return e.inOrder(ctx, stopped, func(c ObservedContainer) error {
		st := Status{Object: c.Name, Service: c.Service, Phase: PhaseStarting}
		e.emit(st)
		if err := e.docker.ContainerStart(ctx, c.ID); err != nil {
			return fmt.Errorf("start %s: %w", c.Name, err)
		}
		if err := e.postStart(ctx, observedTarget(c)); err != nil {
			st.Phase, st.Err, st.Detail, st.Done = PhaseError, err, err.Error(), true
			e.emit(st)
			return err
		}
		st.Phase, st.Done = PhaseRunning, true
		e.emit(st)
		return nil
	})
}

// Restart stops the project's containers (dependents first) and starts them
// again (dependencies first).
func (e *Engine) Restart(ctx context.Context, project string, opts StopOptions) error {
	if err := e.Stop(ctx, project, opts); err != nil {
		return err
	}
	return e.Start(ctx, project, opts.Services)
}

// filterContainers keeps the containers of the named services (all when
// services is empty) for which keep is true.
func filterContainers(cs []ObservedContainer, services []string, keep func(ObservedContainer) bool) []ObservedContainer {
	want := map[string]bool{}
	for _, s := range services {
		want[s] = true
	}
	var out []ObservedContainer
	for _, c := range cs {
		if (len(want) == 0 || want[c.Service]) && keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// withLabelledDependencies adds to services every service they depend on,
// transitively, going by the depends_on labels of their containers.
func withLabelledDependencies(obs *Observed, services []string) []string {
	deps := map[string][]string{}
	for _, c := range obs.Containers {
		deps[c.Service] = parseDependsOnLabel(c.Labels[LabelComposeDepsOn])
	}
	seen := map[string]bool{}
	var out []string
	var visit func(string)
	visit = func(s string) {
		if seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
		for _, d := range deps[s] {
			visit(d)
		}
	}
	for _, s := range services {
		visit(s)
	}
	return out
}
