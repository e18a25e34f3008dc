package engine

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"
)

// ContainerSummary is one row of `ps`.
type ContainerSummary struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Service   string    `json:"service"`
	Number    int       `json:"number"`
	Image     string    `json:"image"`
	State     string    `json:"state"`
	Health    string    `json:"health"`
	ExitCode  int       `json:"exit_code"`
	Status    string    `json:"status"`
	Ports     []string  `json:"ports"`
	Created   time.Time `json:"created"`
	StartedAt time.Time `json:"started_at,omitempty"`
	// RestartCount is how often the daemon restarted it by its restart
	// policy.
	RestartCount int `json:"restart_count"`

	// What `ps --format json` and templates show, as Compose does.
	Project    string            `json:"project"`
	Labels     map[string]string `json:"labels"`
	Publishers []PortBinding     `json:"publishers"`
	Networks   []string          `json:"networks"`
	// Set with PsOptions.Details only: one more call a container.
	Details *ContainerDetails `json:"details,omitempty"`
}

// PsOptions tune `ps`.
type PsOptions struct {
	// All includes stopped containers; by default only running ones, as
	// `docker compose ps` does.
	All      bool
	Services []string
	// Details fills each row's Details (command, mounts).
	Details bool
}

// Ps lists the project's service containers, sorted by service and number.
func (e *Engine) Ps(ctx context.Context, project string, opts PsOptions) ([]ContainerSummary, error) {
	obs, err := e.observe(ctx, project)
	if err != nil {
		return nil, err
	}
	picked := filterContainers(obs.Containers, opts.Services, func(c ObservedContainer) bool {
		// Paused ones count, as in `docker ps`.
		return opts.All || c.Running() || c.State == "paused"
	})
	rows := make([]ContainerSummary, len(picked))
	errs := make([]error, len(picked))
	var wg sync.WaitGroup
	sem := make(chan struct{}, DefaultParallel)
	for i, c := range picked {
		wg.Add(1)
		go func(i int, c ObservedContainer) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			row := ContainerSummary{
				ID: c.ID, Name: c.Name, Service: c.Service, Number: c.Number, Image: c.Image,
				State: c.State, Status: c.Status, Created: c.Created, Ports: []string{},
				Project: project, Labels: c.Labels, Publishers: c.Ports, Networks: []string{},
			}
			for _, p := range c.Ports {
				row.Ports = append(row.Ports, formatPort(p))
			}
			sort.Strings(row.Ports)
			cs, err := e.docker.ContainerInspect(ctx, c.ID)
			if err != nil {
				errs[i] = fmt.Errorf("inspect %s: %w", c.Name, err)
				return
			}
			row.ExitCode, row.StartedAt, row.RestartCount = cs.ExitCode, cs.StartedAt, cs.RestartCount
			row.Networks = sortedKeys(cs.Networks)
			if opts.Details {
				d, err := e.docker.ContainerDetails(ctx, c.ID)
				if err != nil {
					errs[i] = fmt.Errorf("inspect %s: %w", c.Name, err)
					return
				}
				row.Details = &d
			}
			if cs.Running {
				// The daemon keeps a stopped container's last health, which
				// says nothing about it now.
				row.Health = cs.Health
			}
			rows[i] = row
		}(i, c)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return rows, nil
}

func formatPort(p PortBinding) string {
	proto := p.Protocol
	if proto == "" {
		proto = "tcp"
	}
	target := strconv.Itoa(int(p.ContainerPort)) + "/" + proto
	if p.HostPort == "" {
		return target
	}
	host := p.HostIP
	if host == "" {
		host = "0.0.0.0"
	}
	return host + ":" + p.HostPort + "->" + target
}
