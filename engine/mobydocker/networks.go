package mobydocker

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
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
	if ipam := spec.IPAM; ipam.Driver != "" || len(ipam.Options) > 0 || len(ipam.Pools) > 0 {
		opts.IPAM = &network.IPAM{Driver: ipam.Driver, Options: ipam.Options}
		for _, p := range ipam.Pools {
			pool, err := ipamPool(p)
			if err != nil {
				return "", fmt.Errorf("create network %s: %w", spec.Name, err)
			}
			opts.IPAM.Config = append(opts.IPAM.Config, pool)
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

// ipamPool parses one address pool; the stack file was validated, so an
// error here is a bug or a hand-made spec.
func ipamPool(p spec.IPAMPool) (network.IPAMConfig, error) {
	var out network.IPAMConfig
	var err error
	if p.Subnet != "" {
		if out.Subnet, err = netip.ParsePrefix(p.Subnet); err != nil {
			return out, fmt.Errorf("subnet %q: %w", p.Subnet, err)
		}
	}
	if p.IPRange != "" {
		if out.IPRange, err = netip.ParsePrefix(p.IPRange); err != nil {
			return out, fmt.Errorf("ip_range %q: %w", p.IPRange, err)
		}
	}
	if p.Gateway != "" {
		if out.Gateway, err = netip.ParseAddr(p.Gateway); err != nil {
			return out, fmt.Errorf("gateway %q: %w", p.Gateway, err)
		}
	}
	for name, addr := range p.AuxAddresses {
		ip, err := netip.ParseAddr(addr)
		if err != nil {
			return out, fmt.Errorf("aux address %s %q: %w", name, addr, err)
		}
		if out.AuxAddress == nil {
			out.AuxAddress = map[string]netip.Addr{}
		}
		out.AuxAddress[name] = ip
	}
	return out, nil
}
