package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/stack-dev/stack/engine"
)

// raw is the baseline: the same work as stack does, done with the Docker API
// client directly, in-process, with no planning, no process start and no
// stack file to load.
type raw struct {
	api   *client.Client
	image string
	run   string
}

func newRaw(image, run string) (*raw, error) {
	api, err := client.New(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("docker client: %w", err)
	}
	return &raw{api: api, image: image, run: run}, nil
}

func (r *raw) Close() error { return r.api.Close() }

// labels are those stack puts on a service container, so the daemon stores
// and filters the same amount.
func (r *raw) labels(project, service string, number int) map[string]string {
	return map[string]string{
		engine.LabelProject:     project,
		engine.LabelService:     service,
		engine.LabelNumber:      strconv.Itoa(number),
		engine.LabelOneoff:      "False",
		engine.LabelManaged:     "true",
		engine.LabelWorkingDir:  "/tmp/bench",
		engine.LabelConfigFiles: "/tmp/bench/compose.yaml",
		engine.LabelConfigHash:  "0000000000000000000000000000000000000000000000000000000000000000",
		engine.LabelImageID:     r.image,
		engine.LabelRestart:     "no",
		labelTest:               "1",
		labelRun:                r.run,
	}
}

func networkName(project string) string { return project + "_default" }

func projectFilter(project string) client.Filters {
	return client.Filters{}.Add("label", engine.LabelProject+"="+project)
}

// up creates the project's network and one container per service, started;
// a chain one after the other in order, else conc at a time. With health,
// each service of the chain must pass its healthcheck (probed by exec every
// 100ms, as stack does) before the next starts, and the last one too.
func (r *raw) up(ctx context.Context, project string, s shape, conc int) error {
	_, err := r.api.NetworkCreate(ctx, networkName(project), client.NetworkCreateOptions{
		Driver: "bridge",
		Labels: map[string]string{engine.LabelProject: project, engine.LabelNetwork: "default", labelTest: "1", labelRun: r.run},
	})
	if err != nil {
		return fmt.Errorf("create network %s: %w", networkName(project), err)
	}
	if !s.Chain {
		return inParallel(s.Services, conc, func(i int) error {
			_, err := r.createAndStart(ctx, project, serviceName(i+1), 1, false)
			return err
		})
	}
	for i := 1; i <= s.Services; i++ {
		id, err := r.createAndStart(ctx, project, serviceName(i), 1, s.Healthy)
		if err != nil {
			return err
		}
		if s.Healthy {
			if err := r.waitHealthy(ctx, id); err != nil {
				return fmt.Errorf("wait for %s: %w", serviceName(i), err)
			}
		}
	}
	return nil
}

func (r *raw) createAndStart(ctx context.Context, project, service string, number int, health bool) (string, error) {
	name := fmt.Sprintf("%s-%s-%d", project, service, number)
	cfg := &container.Config{Image: r.image, Labels: r.labels(project, service, number)}
	if health {
		cfg.Cmd = []string{"serve", "--ready-after", "1s"}
		cfg.Healthcheck = &container.HealthConfig{Test: []string{"CMD", "/testimage", "health"}, Interval: time.Second}
	}
	net := networkName(project)
	res, err := r.api.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name:       name,
		Config:     cfg,
		HostConfig: &container.HostConfig{NetworkMode: container.NetworkMode(net)},
		NetworkingConfig: &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
			net: {Aliases: []string{service}},
		}},
	})
	if err != nil {
		return "", fmt.Errorf("create container %s: %w", name, err)
	}
	if _, err := r.api.ContainerStart(ctx, res.ID, client.ContainerStartOptions{}); err != nil {
		return "", fmt.Errorf("start container %s: %w", name, err)
	}
	return res.ID, nil
}

// waitHealthy runs the healthcheck command by exec every 100ms until it
// exits 0: the fastest a client can learn readiness on API 1.41.
func (r *raw) waitHealthy(ctx context.Context, id string) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		code, err := r.exec(ctx, id, []string{"/testimage", "health"})
		if err != nil {
			return err
		}
		if code == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func (r *raw) exec(ctx context.Context, id string, cmd []string) (int, error) {
	created, err := r.api.ExecCreate(ctx, id, client.ExecCreateOptions{Cmd: cmd})
	if err != nil {
		return 0, fmt.Errorf("exec in %s: %w", id, err)
	}
	if _, err := r.api.ExecStart(ctx, created.ID, client.ExecStartOptions{Detach: true}); err != nil {
		return 0, fmt.Errorf("start exec in %s: %w", id, err)
	}
	for {
		res, err := r.api.ExecInspect(ctx, created.ID, client.ExecInspectOptions{})
		if err != nil {
			return 0, fmt.Errorf("inspect exec in %s: %w", id, err)
		}
		if !res.Running {
			return res.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// noop is the least work that decides nothing changed: one container list
// and one network list by label, checked against the stack.
func (r *raw) noop(ctx context.Context, project string, s shape) error {
	cs, err := r.api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: projectFilter(project)})
	if err != nil {
		return fmt.Errorf("list containers: %w", err)
	}
	ns, err := r.api.NetworkList(ctx, client.NetworkListOptions{Filters: projectFilter(project)})
	if err != nil {
		return fmt.Errorf("list networks: %w", err)
	}
	running := 0
	for _, c := range cs.Items {
		if c.State == container.StateRunning {
			running++
		}
	}
	if running != s.Services || len(ns.Items) != 1 {
		return fmt.Errorf("project %s: %d running containers and %d networks, want %d and 1", project, running, len(ns.Items), s.Services)
	}
	return nil
}

// down lists the project's containers, stops and removes them (a chain in
// reverse order, one at a time; else conc at a time), then its network.
func (r *raw) down(ctx context.Context, project string, s shape, conc int) error {
	cs, err := r.api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: projectFilter(project)})
	if err != nil {
		return fmt.Errorf("list containers: %w", err)
	}
	items := cs.Items
	remove := func(i int) error {
		id := items[i].ID
		if _, err := r.api.ContainerStop(ctx, id, client.ContainerStopOptions{}); err != nil {
			return fmt.Errorf("stop %s: %w", id, err)
		}
		if _, err := r.api.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true}); err != nil {
			return fmt.Errorf("remove %s: %w", id, err)
		}
		return nil
	}
	if s.Chain {
		sort.Slice(items, func(i, j int) bool {
			return items[i].Labels[engine.LabelService] > items[j].Labels[engine.LabelService]
		})
		for i := range items {
			if err := remove(i); err != nil {
				return err
			}
		}
	} else if err := inParallel(len(items), conc, remove); err != nil {
		return err
	}
	ns, err := r.api.NetworkList(ctx, client.NetworkListOptions{Filters: projectFilter(project)})
	if err != nil {
		return fmt.Errorf("list networks: %w", err)
	}
	for _, n := range ns.Items {
		// Retried as stack retries: a busy daemon may still see endpoints.
		if err := removeNetworkRetrying(ctx, r.api, n.ID); err != nil {
			return fmt.Errorf("remove network %s: %w", n.Name, err)
		}
	}
	return nil
}

// scale lists the service's containers and adds replicas up to to, conc at
// a time.
func (r *raw) scale(ctx context.Context, project, service string, to, conc int) error {
	filters := projectFilter(project).Add("label", engine.LabelService+"="+service)
	cs, err := r.api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: filters})
	if err != nil {
		return fmt.Errorf("list containers: %w", err)
	}
	have := len(cs.Items)
	return inParallel(to-have, conc, func(i int) error {
		_, err := r.createAndStart(ctx, project, service, have+1+i, false)
		return err
	})
}

// inParallel calls fn(0..n-1), at most conc at a time, and joins the errors.
func inParallel(n, conc int, fn func(i int) error) error {
	if conc < 1 {
		conc = 1
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	sem := make(chan struct{}, conc)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(i); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
