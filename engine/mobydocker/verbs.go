package mobydocker

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/moby/moby/client"

	"github.com/stack-dev/stack/engine"
)

// ContainerPause freezes a running container.
func (c *Client) ContainerPause(ctx context.Context, id string) (err error) {
	defer c.trace("ContainerPause", id)(&err)
	_, err = c.api.ContainerPause(ctx, id, client.ContainerPauseOptions{})
	return apiErr("pause container "+id, err)
}

// ContainerUnpause resumes a paused container.
func (c *Client) ContainerUnpause(ctx context.Context, id string) (err error) {
	defer c.trace("ContainerUnpause", id)(&err)
	_, err = c.api.ContainerUnpause(ctx, id, client.ContainerUnpauseOptions{})
	if err != nil && strings.Contains(err.Error(), "is not paused") {
		// Engine 20.10 answers 500 here, not 409.
		return fmt.Errorf("unpause container %s: %w: %w", id, engine.ErrConflict, err)
	}
	return apiErr("unpause container "+id, err)
}

// ContainerTop lists a running container's processes.
func (c *Client) ContainerTop(ctx context.Context, id string, psArgs string) (_ engine.ProcessList, err error) {
	defer c.trace("ContainerTop", id)(&err)
	var args []string
	if psArgs != "" {
		args = []string{psArgs}
	}
	res, err := c.api.ContainerTop(ctx, id, client.ContainerTopOptions{Arguments: args})
	if err != nil {
		return engine.ProcessList{}, apiErr("top of container "+id, err)
	}
	return engine.ProcessList{Titles: res.Titles, Processes: res.Processes}, nil
}

// ContainerDetails returns a container's command and mount sources.
func (c *Client) ContainerDetails(ctx context.Context, id string) (_ engine.ContainerDetails, err error) {
	defer c.trace("ContainerDetails", id)(&err)
	res, err := c.api.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return engine.ContainerDetails{}, apiErr("inspect container "+id, err)
	}
	r := res.Container
	d := engine.ContainerDetails{Command: strings.TrimSpace(r.Path + " " + strings.Join(r.Args, " ")), Mounts: []string{}}
	for _, m := range r.Mounts {
		if m.Type == "volume" && m.Driver == "local" {
			d.LocalVolumes++
		}
		switch {
		case m.Name != "":
			d.Mounts = append(d.Mounts, m.Name)
		default:
			d.Mounts = append(d.Mounts, m.Source)
		}
	}
	return d, nil
}

// ImageDetails returns an image's size, creation time and platform.
func (c *Client) ImageDetails(ctx context.Context, ref string) (_ engine.ImageDetails, err error) {
	defer c.trace("ImageDetails", ref)(&err)
	res, err := c.api.ImageInspect(ctx, ref)
	if err != nil {
		return engine.ImageDetails{}, apiErr("inspect image "+ref, err)
	}
	d := engine.ImageDetails{ID: res.ID, Size: res.Size, OS: res.Os, Architecture: res.Architecture, Variant: res.Variant}
	d.Created = apiTime(res.Created)
	d.LastTagTime = res.Metadata.LastTagTime
	if d.LastTagTime.Year() <= 1 {
		d.LastTagTime = time.Time{}
	}
	return d, nil
}

// VolumeDetails returns a volume's mount point and scope.
func (c *Client) VolumeDetails(ctx context.Context, name string) (_ engine.VolumeDetails, err error) {
	defer c.trace("VolumeDetails", name)(&err)
	res, err := c.api.VolumeInspect(ctx, name, client.VolumeInspectOptions{})
	if err != nil {
		return engine.VolumeDetails{}, apiErr("inspect volume "+name, err)
	}
	return engine.VolumeDetails{Mountpoint: res.Volume.Mountpoint, Scope: res.Volume.Scope}, nil
}
