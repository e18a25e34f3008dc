package engine

import (
	"context"
	"fmt"
)

// WaitExit blocks until every container of the services (all of the
// project's for none) is not running, or with first until one is, and
// returns the name and exit code of the first that stopped, as `docker
// compose wait` does.
func (e *Engine) WaitExit(ctx context.Context, project string, services []string, first bool) (string, int, error) {
	obs, err := e.observe(ctx, project)
	if err != nil {
		return "", 0, err
	}
	containers := filterContainers(obs.Containers, services, func(ObservedContainer) bool { return true })
	if len(containers) == 0 {
		return "", 0, fmt.Errorf("no containers to wait for in project %s", project)
	}
	type result struct {
		name string
		code int
		err  error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan result, len(containers))
	for _, c := range containers {
		go func(c ObservedContainer) {
			code, err := e.docker.ContainerWait(ctx, c.ID)
			if err != nil {
				err = fmt.Errorf("wait for %s: %w", c.Name, err)
			}
			results <- result{c.Name, code, err}
		}(c)
	}
	r := <-results
	if first || r.err != nil {
		return r.name, r.code, r.err
	}
	for range len(containers) - 1 {
		if other := <-results; other.err != nil {
			return r.name, r.code, other.err
		}
	}
	return r.name, r.code, nil
}
