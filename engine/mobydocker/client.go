// Package mobydocker implements engine.Docker with the Docker Engine API
// client (github.com/moby/moby/client), negotiating the API version with the
// daemon. It is the only package of stack that imports moby.
package mobydocker

import (
	"fmt"

	"github.com/moby/moby/client"
	"go.uber.org/zap"

	"github.com/stack-dev/stack/engine"
)

// Client is an engine.Docker backed by a real daemon.
type Client struct {
	api *client.Client
	log *zap.Logger
}

var _ engine.Docker = (*Client)(nil)

// New connects to the daemon named by DOCKER_HOST (or the default socket),
// negotiating the API version on first use. Every API call is logged at
// debug level.
func New(log *zap.Logger) (*Client, error) {
	api, err := client.New(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("docker client: %w", err)
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Client{api: api, log: log}, nil
}

// Close releases the client's connections.
func (c *Client) Close() error { return c.api.Close() }
