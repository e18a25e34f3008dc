package dockerfake

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/stack-dev/stack/engine"
)

// NetworkList lists networks whose labels match, by name.
func (f *Fake) NetworkList(ctx context.Context, labels engine.Labels) ([]engine.Network, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("NetworkList")
	out := []engine.Network{}
	for _, n := range f.networks {
		if matchLabels(labels, n.Labels) {
			cp := *n
			cp.Labels = maps.Clone(n.Labels)
			out = append(out, cp)
		}
	}
	slices.SortFunc(out, func(a, b engine.Network) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// NetworkCreate creates a network; its name must be free.
func (f *Fake) NetworkCreate(ctx context.Context, spec engine.NetworkSpec) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("NetworkCreate")
	if _, err := f.network(spec.Name); err == nil {
		return "", fmt.Errorf("create network %s: name in use: %w", spec.Name, engine.ErrConflict)
	}
	driver := spec.Driver
	if driver == "" {
		driver = "bridge"
	}
	labels := maps.Clone(spec.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	n := &engine.Network{ID: newID(), Name: spec.Name, Driver: driver, Labels: labels}
	f.networks[n.ID] = n
	f.emitNetwork(n, "create")
	return n.ID, nil
}

// NetworkRemove removes a network by ID or name; one with containers
// attached fails as the daemon's does ("has active endpoints").
func (f *Fake) NetworkRemove(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("NetworkRemove")
	n, err := f.network(id)
	if err != nil {
		return fmt.Errorf("remove network %s: %w", id, err)
	}
	for _, c := range f.containers {
		if _, ok := c.Networks[n.Name]; ok {
			return fmt.Errorf("remove network %s: error while removing network: network %s id %s has active endpoints", id, n.Name, n.ID)
		}
	}
	delete(f.networks, n.ID)
	f.emitNetwork(n, "destroy")
	return nil
}

// network finds a network by ID, unique ID prefix or name; the caller
// holds f.mu.
func (f *Fake) network(ref string) (*engine.Network, error) {
	if n, ok := f.networks[ref]; ok {
		return n, nil
	}
	var byPrefix []*engine.Network
	for _, n := range f.networks {
		if n.Name == ref {
			return n, nil
		}
		if ref != "" && strings.HasPrefix(n.ID, ref) {
			byPrefix = append(byPrefix, n)
		}
	}
	if len(byPrefix) == 1 {
		return byPrefix[0], nil
	}
	return nil, fmt.Errorf("network %s not found: %w", ref, engine.ErrNotFound)
}
