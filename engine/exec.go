package engine

import (
	"context"
	"fmt"

	"github.com/stack-dev/stack/spec"
)

// ServiceExecOptions say what `stack exec` runs, where and with which
// streams.
type ServiceExecOptions struct {
	Service string
	// Index is the replica to run in; 0 means 1.
	Index      int
	Cmd        []string
	User       string
	WorkingDir string
	Env        []string // KEY=value
	Streams
}

// Exec runs a command in a running replica of a service and returns the
// command's exit code.
func (e *Engine) Exec(ctx context.Context, p *spec.Project, opts ServiceExecOptions) (int, error) {
	if len(opts.Cmd) == 0 {
		return 0, fmt.Errorf("exec in %s: no command given", opts.Service)
	}
	id, err := e.serviceContainer(ctx, p, opts.Service, opts.Index)
	if err != nil {
		return 0, err
	}
	code, err := e.docker.ExecAttach(ctx, id, ExecOptions{
		Cmd:        opts.Cmd,
		User:       opts.User,
		WorkingDir: opts.WorkingDir,
		Env:        opts.Env,
		Streams:    opts.Streams,
	})
	if err != nil {
		return 0, fmt.Errorf("exec in service %s: %w", opts.Service, err)
	}
	return code, nil
}

// serviceContainer returns the ID of the running replica index (0: 1) of a
// service.
func (e *Engine) serviceContainer(ctx context.Context, p *spec.Project, service string, index int) (string, error) {
	if _, ok := p.Services[service]; !ok {
		// A one-off of `run -d`, by the name run printed.
		if id, ok, err := e.oneoffByName(ctx, p.Name, service); err != nil || ok {
			return id, err
		}
		return "", fmt.Errorf("no such service: %s", service)
	}
	if index <= 0 {
		index = 1
	}
	obs, err := e.observe(ctx, p.Name)
	if err != nil {
		return "", err
	}
	replicas := obs.ServiceContainers(service)
	for _, c := range replicas {
		if c.Number != index {
			continue
		}
		if !c.Running() {
			return "", fmt.Errorf("service %s is not running: container %s is %s; start it with `stack up -d %s`", service, c.Name, c.State, service)
		}
		return c.ID, nil
	}
	if len(replicas) == 0 {
		return "", fmt.Errorf("service %s is not running: it has no container; start it with `stack up -d %s`", service, service)
	}
	return "", fmt.Errorf("service %s has no replica %d (it has %d)", service, index, len(replicas))
}

// oneoffByName finds a running one-off container of the project by name.
func (e *Engine) oneoffByName(ctx context.Context, project, name string) (string, bool, error) {
	obs, err := e.observe(ctx, project)
	if err != nil {
		return "", false, err
	}
	for _, c := range obs.Oneoffs {
		if c.Name == name {
			if c.State != "running" {
				return "", false, fmt.Errorf("one-off %s is not running: it is %s", name, c.State)
			}
			return c.ID, true, nil
		}
	}
	return "", false, nil
}
