package mobydocker

import (
	"context"

	"github.com/moby/moby/client"

	"github.com/stack-dev/stack/engine"
)

// VolumeList lists volumes whose labels match.
func (c *Client) VolumeList(ctx context.Context, labels engine.Labels) (out []engine.Volume, err error) {
	defer c.trace("VolumeList", "")(&err)
	res, err := c.api.VolumeList(ctx, client.VolumeListOptions{Filters: labelFilters(labels)})
	if err != nil {
		return nil, apiErr("list volumes", err)
	}
	out = make([]engine.Volume, 0, len(res.Items))
	for _, v := range res.Items {
		out = append(out, engine.Volume{Name: v.Name, Driver: v.Driver, Labels: v.Labels})
	}
	return out, nil
}

// VolumeInspect returns one volume by name.
func (c *Client) VolumeInspect(ctx context.Context, name string) (v engine.Volume, err error) {
	defer c.trace("VolumeInspect", name)(&err)
	res, err := c.api.VolumeInspect(ctx, name, client.VolumeInspectOptions{})
	if err != nil {
		return engine.Volume{}, apiErr("inspect volume "+name, err)
	}
	return engine.Volume{Name: res.Volume.Name, Driver: res.Volume.Driver, Labels: res.Volume.Labels}, nil
}

// VolumeCreate creates a volume. As with the daemon, creating a volume that
// exists (same driver) succeeds and leaves it as it was.
func (c *Client) VolumeCreate(ctx context.Context, spec engine.VolumeSpec) (err error) {
	defer c.trace("VolumeCreate", spec.Name)(&err)
	_, err = c.api.VolumeCreate(ctx, client.VolumeCreateOptions{
		Name:       spec.Name,
		Driver:     spec.Driver,
		DriverOpts: spec.DriverOpts,
		Labels:     spec.Labels,
	})
	return apiErr("create volume "+spec.Name, err)
}

// VolumeRemove removes a volume; one still in use is ErrConflict.
func (c *Client) VolumeRemove(ctx context.Context, name string) (err error) {
	defer c.trace("VolumeRemove", name)(&err)
	_, err = c.api.VolumeRemove(ctx, name, client.VolumeRemoveOptions{})
	return apiErr("remove volume "+name, err)
}
