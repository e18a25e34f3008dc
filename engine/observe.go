package engine

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/stack-dev/stack/spec"
)

// Observed is what a project has in Docker now, read from labels alone: any
// stack process can pick up where another stopped or crashed.
type Observed struct {
	Project    string
	Containers []ObservedContainer // sorted by service, then number
	Oneoffs    []Container         // containers of `stack run`
	Hooks      []Container         // pre_start hook containers kept by a failed hook
	Networks   map[string]Network  // by name
	Volumes    map[string]Volume   // by name
}

// ObservedContainer is one of the project's service containers.
type ObservedContainer struct {
	Container
	Service string
	Number  int
	Hash    string // LabelConfigHash
	ImageID string // LabelImageID
}

// Running reports whether the container is up (or coming up).
func (c ObservedContainer) Running() bool {
	return c.State == "running" || c.State == "restarting"
}

// ExitedOK reports whether the container ran and exited with code 0, going by
// the daemon's status text ("Exited (0) 3 seconds ago").
func (c ObservedContainer) ExitedOK() bool {
	return c.State == "exited" && strings.HasPrefix(c.Status, "Exited (0)")
}

// ServiceContainers returns the containers of one service, by number.
func (o *Observed) ServiceContainers(service string) []ObservedContainer {
	var out []ObservedContainer
	for _, c := range o.Containers {
		if c.Service == service {
			out = append(out, c)
		}
	}
	return out
}

// Services returns the names of the services that have containers.
func (o *Observed) Services() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range o.Containers {
		if !seen[c.Service] {
			seen[c.Service] = true
			out = append(out, c.Service)
		}
	}
	sort.Strings(out)
	return out
}

// ServiceNames returns the services the project has containers of, in any
// state, going by labels alone.
func (e *Engine) ServiceNames(ctx context.Context, project string) (map[string]bool, error) {
	obs, err := e.observe(ctx, project)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, s := range obs.Services() {
		names[s] = true
	}
	return names, nil
}

func (e *Engine) observe(ctx context.Context, project string) (*Observed, error) {
	obs := &Observed{Project: project, Networks: map[string]Network{}, Volumes: map[string]Volume{}}
	filter := Labels{LabelProject: project}
	containers, err := e.docker.ContainerList(ctx, filter)
	if err != nil {
		return nil, fmt.Errorf("list containers of %s: %w", project, err)
	}
	for _, c := range containers {
		if c.Labels[LabelHook] != "" {
			obs.Hooks = append(obs.Hooks, c)
			continue
		}
		if c.Labels[LabelOneoff] == "True" {
			obs.Oneoffs = append(obs.Oneoffs, c)
			continue
		}
		n, _ := strconv.Atoi(c.Labels[LabelNumber])
		obs.Containers = append(obs.Containers, ObservedContainer{
			Container: c,
			Service:   c.Labels[LabelService],
			Number:    n,
			Hash:      c.Labels[LabelConfigHash],
			ImageID:   c.Labels[LabelImageID],
		})
	}
	sort.Slice(obs.Containers, func(i, j int) bool {
		a, b := obs.Containers[i], obs.Containers[j]
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		if a.Number != b.Number {
			return a.Number < b.Number
		}
		return a.Created.Before(b.Created)
	})
	networks, err := e.docker.NetworkList(ctx, filter)
	if err != nil {
		return nil, fmt.Errorf("list networks of %s: %w", project, err)
	}
	for _, n := range networks {
		obs.Networks[n.Name] = n
	}
	volumes, err := e.docker.VolumeList(ctx, filter)
	if err != nil {
		return nil, fmt.Errorf("list volumes of %s: %w", project, err)
	}
	for _, v := range volumes {
		obs.Volumes[v.Name] = v
	}
	return obs, nil
}

// dependsOnLabel records a service's dependencies on its containers, as
// Compose does ("db:service_healthy:false,cache:service_started:false"), so
// that `down` can order the teardown without the stack file.
func dependsOnLabel(s *spec.Service) string {
	var parts []string
	for _, name := range sortedKeys(s.DependsOn) {
		d := s.DependsOn[name]
		parts = append(parts, fmt.Sprintf("%s:%s:%t", name, d.Condition, d.Restart))
	}
	return strings.Join(parts, ",")
}

// parseDependsOnLabel returns the service names in a depends_on label.
func parseDependsOnLabel(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		if name, _, _ := strings.Cut(part, ":"); name != "" {
			out = append(out, name)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Alive tells whether any container of the services (nil: all) of p runs,
// or will run again by its restart policy: always and unless-stopped, and
// on-failure after a failure. An attached up ends once nothing is alive.
func (e *Engine) Alive(ctx context.Context, p *spec.Project, services []string) (bool, error) {
	obs, err := e.observe(ctx, p.Name)
	if err != nil {
		return false, err
	}
	for _, c := range filterContainers(obs.Containers, services, func(ObservedContainer) bool { return true }) {
		if c.Running() {
			return true, nil
		}
		s := p.Services[c.Service]
		if s == nil || c.State != "exited" {
			continue
		}
		switch policy, max := restartPolicy(s.Restart); {
		case policy == "always", policy == "unless-stopped":
			return true, nil
		case policy == "on-failure" && max == 0 && !c.ExitedOK():
			// With a maximum, the daemon may have given up; a failed
			// container without one always comes back.
			return true, nil
		}
	}
	return false, nil
}
