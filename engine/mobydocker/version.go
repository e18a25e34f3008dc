package mobydocker

import (
	"context"

	"github.com/moby/moby/client"

	"github.com/stack-dev/stack/engine"
)

// Version reports the daemon's version and the API version the client
// negotiated with it (not the daemon's newest).
func (c *Client) Version(ctx context.Context) (v engine.ServerVersion, err error) {
	defer c.trace("ServerVersion", "")(&err)
	res, err := c.api.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return engine.ServerVersion{}, apiErr("server version", err)
	}
	return engine.ServerVersion{
		Version:    res.Version,
		APIVersion: c.api.ClientVersion(),
		OS:         res.Os,
		Arch:       res.Arch,
	}, nil
}
