package spec

import (
	"fmt"
	"sort"
	"strings"
)

// CycleError reports a dependency cycle with its path, first service repeated
// at the end: a -> b -> a.
type CycleError struct {
	Path []string
}

func (e *CycleError) Error() string {
	return "dependency cycle: " + strings.Join(e.Path, " -> ")
}

// Order returns the services in dependency order: every service comes after
// all services it depends on. Ties are broken by name so the order is stable.
// A cycle is a *CycleError. Dependencies on services that are not in the
// project (disabled by profiles, not required) are ignored.
func (p *Project) Order() ([]string, error) {
	levels, err := p.Levels()
	if err != nil {
		return nil, err
	}
	var order []string
	for _, l := range levels {
		order = append(order, l...)
	}
	return order, nil
}

// Levels groups the services into layers: layer 0 depends on nothing, layer
// n only on services in layers below n. Each layer is sorted by name.
func (p *Project) Levels() ([][]string, error) {
	if err := p.checkCycles(); err != nil {
		return nil, err
	}
	depth := map[string]int{}
	var visit func(name string) int
	visit = func(name string) int {
		if d, ok := depth[name]; ok {
			return d
		}
		d := 0
		for _, dep := range p.Dependencies(name) {
			if dd := visit(dep) + 1; dd > d {
				d = dd
			}
		}
		depth[name] = d
		return d
	}
	var levels [][]string
	for _, name := range p.ServiceNames() {
		d := visit(name)
		for len(levels) <= d {
			levels = append(levels, nil)
		}
		levels[d] = append(levels[d], name)
	}
	for _, l := range levels {
		sort.Strings(l)
	}
	return levels, nil
}

// Dependencies returns the names of the enabled services that name depends
// on, sorted.
func (p *Project) Dependencies(name string) []string {
	s := p.Services[name]
	if s == nil {
		return nil
	}
	var deps []string
	for dep := range s.DependsOn {
		if _, ok := p.Services[dep]; ok {
			deps = append(deps, dep)
		}
	}
	sort.Strings(deps)
	return deps
}

// Dependents returns the names of the enabled services that depend on name,
// sorted.
func (p *Project) Dependents(name string) []string {
	var out []string
	for _, other := range p.ServiceNames() {
		if _, ok := p.Services[other].DependsOn[name]; ok {
			out = append(out, other)
		}
	}
	return out
}

func (p *Project) checkCycles() error {
	const (
		unvisited = iota
		inProgress
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(name string) error
	visit = func(name string) error {
		switch state[name] {
		case done:
			return nil
		case inProgress:
			start := 0
			for i, n := range stack {
				if n == name {
					start = i
				}
			}
			path := append(append([]string{}, stack[start:]...), name)
			return &CycleError{Path: path}
		}
		state[name] = inProgress
		stack = append(stack, name)
		for _, dep := range p.Dependencies(name) {
			if err := visit(dep); err != nil {
				return err
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = done
		return nil
	}
	for _, name := range p.ServiceNames() {
		if err := visit(name); err != nil {
			return err
		}
	}
	return nil
}

// Closure returns names plus every enabled service they depend on,
// transitively, sorted. Unknown names are an error.
func (p *Project) Closure(names []string) ([]string, error) {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		if seen[n] {
			return
		}
		seen[n] = true
		for _, d := range p.Dependencies(n) {
			visit(d)
		}
	}
	for _, n := range names {
		if _, ok := p.Services[n]; !ok {
			return nil, fmt.Errorf("no such service: %s", n)
		}
		visit(n)
	}
	return sortedKeys(seen), nil
}

// AwaitedToComplete are the services another enabled service waits on with
// service_completed_successfully: one-shot jobs, to up, swarm and the
// dashboard alike.
func (p *Project) AwaitedToComplete() map[string]bool {
	out := map[string]bool{}
	for _, s := range p.Services {
		for dep, d := range s.DependsOn {
			if d.Condition == ConditionCompleted {
				out[dep] = true
			}
		}
	}
	return out
}
