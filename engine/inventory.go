package engine

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// ContainerImage is the image of one service container, for `images`.
type ContainerImage struct {
	Container string
	Service   string
	// Ref is the image the container was created from, as configured.
	Ref      string
	RepoTags []string
	ImageDetails
}

// Images returns the images of the project's service containers, in any
// state, by container name. Each image is inspected once.
func (e *Engine) Images(ctx context.Context, project string, services []string) ([]ContainerImage, error) {
	obs, err := e.observe(ctx, project)
	if err != nil {
		return nil, err
	}
	picked := filterContainers(obs.Containers, services, func(ObservedContainer) bool { return true })
	type inspected struct {
		once sync.Once
		img  Image
		d    ImageDetails
		err  error
	}
	var mu sync.Mutex
	byID := map[string]*inspected{}
	out := make([]ContainerImage, len(picked))
	err = e.inParallel(ctx, picked, func(i int, c ObservedContainer) error {
		id := c.Container.ImageID
		if id == "" {
			id = c.Image
		}
		mu.Lock()
		in := byID[id]
		if in == nil {
			in = &inspected{}
			byID[id] = in
		}
		mu.Unlock()
		in.once.Do(func() {
			if in.img, in.err = e.docker.ImageInspect(ctx, id); in.err == nil {
				in.d, in.err = e.docker.ImageDetails(ctx, id)
			}
		})
		if in.err != nil {
			return fmt.Errorf("image of %s: %w", c.Name, in.err)
		}
		out[i] = ContainerImage{Container: c.Name, Service: c.Service, Ref: c.Image, RepoTags: in.img.RepoTags, ImageDetails: in.d}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b ContainerImage) int {
		if a.Container < b.Container {
			return -1
		}
		if a.Container > b.Container {
			return 1
		}
		return 0
	})
	return out, nil
}

// VolumeSummary is one of the project's volumes, for `volumes`.
type VolumeSummary struct {
	Volume
	VolumeDetails
}

// Volumes returns the project's volumes by name; with services, only those
// their containers mount.
func (e *Engine) Volumes(ctx context.Context, project string, services []string) ([]VolumeSummary, error) {
	obs, err := e.observe(ctx, project)
	if err != nil {
		return nil, err
	}
	names := sortedKeys(obs.Volumes)
	if len(services) > 0 {
		used := map[string]bool{}
		for _, c := range filterContainers(obs.Containers, services, func(ObservedContainer) bool { return true }) {
			d, err := e.docker.ContainerDetails(ctx, c.ID)
			if err != nil {
				return nil, fmt.Errorf("mounts of %s: %w", c.Name, err)
			}
			for _, m := range d.Mounts {
				used[m] = true
			}
		}
		names = slices.DeleteFunc(names, func(n string) bool { return !used[n] })
	}
	out := make([]VolumeSummary, 0, len(names))
	for _, name := range names {
		d, err := e.docker.VolumeDetails(ctx, name)
		if err != nil {
			return nil, err
		}
		out = append(out, VolumeSummary{Volume: obs.Volumes[name], VolumeDetails: d})
	}
	return out, nil
}
