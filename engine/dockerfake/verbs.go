package dockerfake

import (
	"context"
	"fmt"
	"runtime"
	"strings"

	"github.com/stack-dev/stack/engine"
)

// ContainerPause marks a running container paused.
func (f *Fake) ContainerPause(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ContainerPause")
	c, err := f.container(id)
	if err != nil {
		return fmt.Errorf("pause container %s: %w", id, err)
	}
	if c.State != "running" || c.Paused {
		return fmt.Errorf("pause container %s: container is not running: %w", id, engine.ErrConflict)
	}
	c.Paused = true
	c.touch()
	f.emitContainer(c, "pause", nil)
	return nil
}

// ContainerUnpause resumes a paused container.
func (f *Fake) ContainerUnpause(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ContainerUnpause")
	c, err := f.container(id)
	if err != nil {
		return fmt.Errorf("unpause container %s: %w", id, err)
	}
	if !c.Paused {
		return fmt.Errorf("unpause container %s: container is not paused: %w", id, engine.ErrConflict)
	}
	c.Paused = false
	c.touch()
	f.emitContainer(c, "unpause", nil)
	return nil
}

// ContainerTop lists one process: the container's command as PID 1. The
// fake runs no processes, so psArgs change nothing.
func (f *Fake) ContainerTop(ctx context.Context, id string, psArgs string) (engine.ProcessList, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ContainerTop")
	c, err := f.container(id)
	if err != nil {
		return engine.ProcessList{}, fmt.Errorf("top of container %s: %w", id, err)
	}
	if c.State != "running" {
		return engine.ProcessList{}, fmt.Errorf("top of container %s: container is not running: %w", id, engine.ErrConflict)
	}
	return engine.ProcessList{
		Titles:    []string{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"},
		Processes: [][]string{{"root", "1", "0", "0", c.StartedAt.Format("15:04"), "?", "00:00:00", command(c.Spec)}},
	}, nil
}

// ContainerDetails returns the command and mount sources of a container.
func (f *Fake) ContainerDetails(ctx context.Context, id string) (engine.ContainerDetails, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ContainerDetails")
	c, err := f.container(id)
	if err != nil {
		return engine.ContainerDetails{}, fmt.Errorf("inspect container %s: %w", id, err)
	}
	d := engine.ContainerDetails{Command: command(c.Spec), Mounts: []string{}}
	anon := 0
	for _, m := range c.Spec.Mounts {
		source := m.Source
		if m.Type == "volume" && source == "" && anon < len(c.Anonymous) {
			source = c.Anonymous[anon]
			anon++
		}
		d.Mounts = append(d.Mounts, source)
		if v := f.volumes[source]; m.Type == "volume" && v != nil && (v.Driver == "" || v.Driver == "local") {
			d.LocalVolumes++
		}
	}
	return d, nil
}

// command is what the daemon shows as a container's command.
func command(spec engine.ContainerSpec) string {
	return strings.Join(append(append([]string{}, spec.Entrypoint...), spec.Cmd...), " ")
}

// ImageDetails returns a local image's details: the fake keeps no layers,
// so its size is 0 and its platform linux on the host's architecture.
func (f *Fake) ImageDetails(ctx context.Context, ref string) (engine.ImageDetails, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ImageDetails")
	img, ok := f.image(ref)
	if !ok {
		return engine.ImageDetails{}, fmt.Errorf("inspect image %s: no such image: %w", ref, engine.ErrNotFound)
	}
	return engine.ImageDetails{ID: img.ID, OS: "linux", Architecture: runtime.GOARCH}, nil
}

// VolumeDetails returns where the daemon would keep a local volume.
func (f *Fake) VolumeDetails(ctx context.Context, name string) (engine.VolumeDetails, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("VolumeDetails")
	if _, ok := f.volumes[name]; !ok {
		return engine.VolumeDetails{}, fmt.Errorf("inspect volume %s: no such volume: %w", name, engine.ErrNotFound)
	}
	return engine.VolumeDetails{Mountpoint: "/var/lib/docker/volumes/" + name + "/_data", Scope: "local"}, nil
}
