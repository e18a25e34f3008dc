package engine

import (
	"context"
	"fmt"
)

// ContainerProcesses are the processes of one container, for `top`.
type ContainerProcesses struct {
	Name    string
	Service string
	Number  int
	ProcessList
}

// Top lists the processes of the project's running containers, by service
// and number.
func (e *Engine) Top(ctx context.Context, project string, services []string) ([]ContainerProcesses, error) {
	obs, err := e.observe(ctx, project)
	if err != nil {
		return nil, err
	}
	running := filterContainers(obs.Containers, services, ObservedContainer.Running)
	out := make([]ContainerProcesses, len(running))
	err = e.inParallel(ctx, running, func(i int, c ObservedContainer) error {
		list, err := e.docker.ContainerTop(ctx, c.ID, "")
		if err != nil {
			return fmt.Errorf("top of %s: %w", c.Name, err)
		}
		out[i] = ContainerProcesses{Name: c.Name, Service: c.Service, Number: c.Number, ProcessList: list}
		return nil
	})
	return out, err
}
