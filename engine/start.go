package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/stack-dev/stack/spec"
)

// Start starts the project's stopped containers, dependencies first; the
// named services' stopped dependencies too, as in Compose (read from the
// depends_on labels, so no stack file is needed), but not a one-shot job
// that completed, which up does not run again either. It creates nothing:
// `up` does that.
func (e *Engine) Start(ctx context.Context, project string, services []string) error {
	return e.start(ctx, project, services, true)
}

func (e *Engine) start(ctx context.Context, project string, services []string, withDeps bool) error {
	obs, err := e.observe(ctx, project)
	if err != nil {
		return err
	}
	named := map[string]bool{}
	for _, s := range services {
		named[s] = true
	}
	if len(services) > 0 && withDeps {
		services = withLabelledDependencies(obs, services)
	}
	jobs := labelledJobs(obs)
	stopped := filterContainers(obs.Containers, services, func(c ObservedContainer) bool {
		return !c.Running() && !(len(named) > 0 && !named[c.Service] && jobs[c.Service] && c.ExitedOK())
	})
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
// again (dependencies first): those of the named services only, as in
// Compose; their dependencies are left as they are.
func (e *Engine) Restart(ctx context.Context, project string, opts StopOptions) error {
	if err := e.Stop(ctx, project, opts); err != nil {
		return err
	}
	return e.start(ctx, project, opts.Services, false)
}

// labelledJobs are the services others wait on to complete, going by the
// depends_on labels ("train:service_completed_successfully:false").
func labelledJobs(obs *Observed) map[string]bool {
	jobs := map[string]bool{}
	for _, c := range obs.Containers {
		for _, part := range strings.Split(c.Labels[LabelComposeDepsOn], ",") {
			if name, rest, ok := strings.Cut(part, ":"); ok && strings.HasPrefix(rest, spec.ConditionCompleted) {
				jobs[name] = true
			}
		}
	}
	return jobs
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
