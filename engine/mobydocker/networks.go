package mobydocker

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/stack-dev/stack/engine"
)

// NetworkList lists networks whose labels match.
func (c *Client) NetworkList(ctx context.Context, labels engine.Labels) (out []engine.Network, err error) {
	defer c.trace("NetworkList", "")(&err)
	res, err := c.api.NetworkList(ctx, client.NetworkListOptions{Filters: labelFilters(labels)})
	if err != nil {
		return nil, apiErr("list networks", err)
	}
	out = make([]engine.Network, 0, len(res.Items))
	for _, n := range res.Items {
		out = append(out, engine.Network{ID: n.ID, Name: n.Name, Driver: n.Driver, Labels: n.Labels})
	}
	return out, nil
}

// NetworkCreate creates a network and returns its ID. API 1.41 lets
// networks share a name unless the client asks it to check (and this client
// cannot), so the name is checked here: a taken name is ErrConflict.
func (c *Client) NetworkCreate(ctx context.Context, spec engine.NetworkSpec) (id string, err error) {
	defer c.trace("NetworkCreate", spec.Name)(&err)
	taken, err := c.networkNameTaken(ctx, spec.Name)
	if err != nil {
		return "", err
	}
	if taken {
		return "", fmt.Errorf("create network %s: name in use: %w", spec.Name, engine.ErrConflict)
	}
	opts := client.NetworkCreateOptions{
		Driver:     spec.Driver,
		Options:    spec.DriverOpts,
		Labels:     spec.Labels,
		Internal:   spec.Internal,
		Attachable: spec.Attachable,
	}
	if spec.EnableIPv6 {
		opts.EnableIPv6 = &spec.EnableIPv6
	}
	if len(spec.Subnets) > 0 {
		opts.IPAM = &network.IPAM{}
		for _, s := range spec.Subnets {
			prefix, err := netip.ParsePrefix(s)
			if err != nil {
				return "", fmt.Errorf("create network %s: subnet %q: %w", spec.Name, s, err)
			}
			opts.IPAM.Config = append(opts.IPAM.Config, network.IPAMConfig{Subnet: prefix})
		}
	}
	res, err := c.api.NetworkCreate(ctx, spec.Name, opts)
	if err != nil {
		return "", apiErr("create network "+spec.Name, err)
	}
	return res.ID, nil
}

// networkNameTaken reports whether a network is named exactly name (the
// daemon's name filter also matches substrings).
func (c *Client) networkNameTaken(ctx context.Context, name string) (taken bool, err error) {
	defer c.trace("NetworkList", "name="+name)(&err)
	res, err := c.api.NetworkList(ctx, client.NetworkListOptions{Filters: client.Filters{}.Add("name", name)})
	if err != nil {
		return false, apiErr("list networks named "+name, err)
	}
	for _, n := range res.Items {
		if n.Name == name {
			return true, nil
		}
	}
	return false, nil
}

// NetworkRemove removes a network by ID or name. "Has active endpoints"
// right after a concurrent teardown is returned as is: the engine retries.
func (c *Client) NetworkRemove(ctx context.Context, id string) (err error) {
	defer c.trace("NetworkRemove", id)(&err)
	_, err = c.api.NetworkRemove(ctx, id, client.NetworkRemoveOptions{})
	return apiErr("remove network "+id, err)
}
