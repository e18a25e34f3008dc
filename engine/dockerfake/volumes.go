package dockerfake

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/stack-dev/stack/engine"
)

// VolumeList lists volumes whose labels match, by name.
func (f *Fake) VolumeList(ctx context.Context, labels engine.Labels) ([]engine.Volume, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("VolumeList")
	out := []engine.Volume{}
	for _, v := range f.volumes {
		if matchLabels(labels, v.Labels) {
			out = append(out, copyVolume(v))
		}
	}
	slices.SortFunc(out, func(a, b engine.Volume) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// VolumeInspect returns a volume by name.
func (f *Fake) VolumeInspect(ctx context.Context, name string) (engine.Volume, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("VolumeInspect")
	v, ok := f.volumes[name]
	if !ok {
		return engine.Volume{}, fmt.Errorf("inspect volume %s: no such volume: %w", name, engine.ErrNotFound)
	}
	return copyVolume(v), nil
}

// VolumeCreate creates a volume; as with the daemon, creating one that
// exists succeeds and leaves it as it was.
func (f *Fake) VolumeCreate(ctx context.Context, spec engine.VolumeSpec) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("VolumeCreate")
	if spec.Name == "" {
		spec.Name = newID()
	}
	if _, ok := f.volumes[spec.Name]; ok {
		return nil
	}
	driver := spec.Driver
	if driver == "" {
		driver = "local"
	}
	labels := maps.Clone(spec.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	v := &engine.Volume{Name: spec.Name, Driver: driver, Labels: labels}
	f.volumes[v.Name] = v
	f.emitVolume(v, "create")
	return nil
}

// VolumeRemove removes a volume; one a container mounts is ErrConflict.
func (f *Fake) VolumeRemove(ctx context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("VolumeRemove")
	v, ok := f.volumes[name]
	if !ok {
		return fmt.Errorf("remove volume %s: no such volume: %w", name, engine.ErrNotFound)
	}
	if c := f.volumeUser(name); c != nil {
		return fmt.Errorf("remove volume %s: volume is in use by %s: %w", name, c.ID[:12], engine.ErrConflict)
	}
	delete(f.volumes, name)
	f.emitVolume(v, "destroy")
	return nil
}

// volumeUser is a container that mounts volume name, or nil; the caller
// holds f.mu.
func (f *Fake) volumeUser(name string) *FakeContainer {
	for _, c := range f.containers {
		for _, m := range c.Mounts {
			if m.Type == "volume" && m.Source == name {
				return c
			}
		}
	}
	return nil
}

func copyVolume(v *engine.Volume) engine.Volume {
	cp := *v
	cp.Labels = maps.Clone(v.Labels)
	return cp
}
