package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/stack-dev/stack/spec"
)

// RunOptions say what `stack run` runs: a one-off container of a service.
type RunOptions struct {
	Service string
	// Cmd replaces the service's command; nil keeps it.
	Cmd []string
	// Entrypoint replaces the service's entrypoint (and, without Cmd,
	// drops the service's command, which was written for the old one).
	Entrypoint []string
	Env        []string // KEY=value, over the service's environment
	User       string   // "": the service's
	WorkingDir string   // "": the service's
	// Name names the container; "" means <project>-<service>-run-<random>.
	Name string
	// NoDeps skips bringing up the service's dependencies.
	NoDeps bool
	// ServicePorts publishes the service's ports, which a one-off
	// otherwise leaves to the service's own containers.
	ServicePorts bool
	// Publish are ports to publish besides (or without) the service's.
	Publish []spec.Port
	// UseAliases gives the one-off the service's network aliases, so it
	// answers to the service's name; otherwise it is reached by its own.
	UseAliases bool
	// Detach starts the container and returns without waiting.
	Detach bool
	// Remove removes the container once it exits, or when ctx ends.
	Remove bool
	Images ImageOptions
	// Streams are attached unless Detach; with Tty the container gets a
	// TTY, with Stdin an open stdin.
	Streams
	// Attaching, if set, is called once right before the streams are
	// attached: the moment to end progress output and put the local
	// terminal in raw mode.
	Attaching func()
	// Signals, if set, are passed on to the running container ("SIGINT",
	// "SIGTERM"), as docker run does without a TTY: the one-off decides
	// what a Ctrl-C means.
	Signals <-chan string
}

// RunResult is what came of a Run.
type RunResult struct {
	ID, Name string
	// ExitCode is the container's, when it was waited for.
	ExitCode int
}

// ErrInterrupted is returned by Run when ctx ended while the one-off ran;
// the container was stopped (or removed, with Remove).
var ErrInterrupted = errors.New("interrupted")

// Run runs a one-off container of a service, as `docker compose run` does:
// it brings up the service's dependencies (unless NoDeps), creates a
// container from the service's config with opts' overrides, labelled as a
// one-off of the project and on the service's networks, attaches the
// streams, starts it and waits for it to exit.
func (e *Engine) Run(ctx context.Context, p *spec.Project, opts RunOptions) (RunResult, error) {
	s, ok := p.Services[opts.Service]
	if !ok {
		return RunResult{}, fmt.Errorf("no such service: %s", opts.Service)
	}
	for _, kv := range opts.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return RunResult{}, fmt.Errorf("environment %q: want KEY=value", kv)
		}
	}
	if deps := p.Dependencies(s.Name); !opts.NoDeps && len(deps) > 0 {
		if err := e.upDependencies(ctx, p, s, deps, opts.Images); err != nil {
			return RunResult{}, err
		}
	}
	cs, err := e.prepareOneoff(ctx, p, s, opts)
	if err != nil {
		return RunResult{}, err
	}
	if cs, err = e.resolveReferences(ctx, p, cs); err != nil {
		return RunResult{}, fmt.Errorf("service %s: %w", s.Name, err)
	}
	id, err := e.docker.ContainerCreate(ctx, cs)
	if err != nil {
		return RunResult{}, fmt.Errorf("service %s: %w", s.Name, err)
	}
	res := RunResult{ID: id, Name: cs.Name}
	if opts.Detach {
		if err := e.docker.ContainerStart(ctx, id); err != nil {
			return res, fmt.Errorf("service %s: %w", s.Name, err)
		}
		return res, e.postStart(ctx, hookTarget{ID: id, Name: cs.Name, Service: s.Name, Labels: cs.Labels})
	}
	res.ExitCode, err = e.runAttached(ctx, id, s, opts)
	return res, err
}

// upDependencies brings up the dependencies of s (and theirs) and waits
// until each meets the condition s sets on it.
func (e *Engine) upDependencies(ctx context.Context, p *spec.Project, s *spec.Service, deps []string, images ImageOptions) error {
	if _, err := e.Up(ctx, p, UpOptions{Plan: PlanOptions{Services: deps}, Images: images}); err != nil {
		return fmt.Errorf("start dependencies of %s: %w", s.Name, err)
	}
	obs, err := e.observe(ctx, p.Name)
	if err != nil {
		return err
	}
	watchCtx, stop := context.WithCancel(ctx)
	defer stop()
	w := newWatcher(watchCtx, e.docker, p.Name)
	for _, dep := range deps {
		cond := s.DependsOn[dep].Condition
		if cond != spec.ConditionHealthy && cond != spec.ConditionCompleted {
			continue
		}
		for _, c := range obs.ServiceContainers(dep) {
			var err error
			if cond == spec.ConditionHealthy {
				err = e.waitHealthy(ctx, w, p.Services[dep], c.ID)
			} else {
				err = w.wait(ctx, c.ID, completed)
			}
			if err != nil {
				return fmt.Errorf("service %s: dependency %s (%s) did not meet %s: %w", s.Name, dep, c.Name, cond, err)
			}
		}
	}
	return nil
}

// prepareOneoff makes sure the image, networks and volumes of s exist and
// returns the spec of its one-off container.
func (e *Engine) prepareOneoff(ctx context.Context, p *spec.Project, s *spec.Service, opts RunOptions) (ContainerSpec, error) {
	unlock, err := e.lock(ctx, p.Name)
	if err != nil {
		return ContainerSpec{}, err
	}
	defer unlock()
	images, err := e.EnsureImages(ctx, p, []string{s.Name}, opts.Images)
	if err != nil {
		return ContainerSpec{}, err
	}
	obs, err := e.observe(ctx, p.Name)
	if err != nil {
		return ContainerSpec{}, err
	}
	if err := e.checkExternalResources(ctx, p, []string{s.Name}); err != nil {
		return ContainerSpec{}, err
	}
	var resources Plan
	resources.Networks, resources.Volumes = planResources(p, obs, []string{s.Name})
	keepChangedResources(&resources) // a one-off leaves that to up
	if err := e.createResources(ctx, &resources, nil); err != nil {
		return ContainerSpec{}, err
	}
	return oneoffSpec(p, s, images[s.Name], opts)
}

// oneoffSpec is the container spec of a one-off of s: the service's
// container with opts' overrides, labelled as a one-off, with no restart
// policy (a one-off runs once) and, unless asked, neither the service's
// published ports nor its network aliases, which belong to the service's
// own containers.
func oneoffSpec(p *spec.Project, s *spec.Service, imageID string, opts RunOptions) (ContainerSpec, error) {
	svc := *s
	svc.ContainerName = ""
	if !opts.ServicePorts {
		svc.Ports = nil
	}
	svc.Ports = append(append([]spec.Port(nil), svc.Ports...), opts.Publish...)
	svc.Restart = ""
	if opts.Entrypoint != nil {
		svc.Entrypoint = opts.Entrypoint
		svc.Command = nil
	}
	if opts.Cmd != nil {
		svc.Command = opts.Cmd
	}
	if opts.User != "" {
		svc.User = opts.User
	}
	if opts.WorkingDir != "" {
		svc.WorkingDir = opts.WorkingDir
	}
	svc.Environment = maps.Clone(s.Environment)
	if svc.Environment == nil {
		svc.Environment = map[string]string{}
	}
	for _, kv := range opts.Env {
		k, v, _ := strings.Cut(kv, "=") // checked by Run
		svc.Environment[k] = v
	}

	cs := containerSpec(p, &svc, 1, imageID)
	cs.Name = opts.Name
	if cs.Name == "" {
		suffix, err := randomSuffix()
		if err != nil {
			return ContainerSpec{}, err
		}
		cs.Name = fmt.Sprintf("%s-%s-run-%s", p.Name, s.Name, suffix)
	}
	cs.Labels[LabelOneoff] = "True"
	if !opts.UseAliases {
		for i := range cs.Networks {
			cs.Networks[i].Aliases = nil
		}
	}
	cs.Tty = opts.Tty
	cs.OpenStdin = opts.Stdin != nil && !opts.Detach
	cs.StdinOnce = cs.OpenStdin
	// Attached, Run removes the container itself once it has its exit
	// code; detached, nobody waits, so the daemon does.
	cs.AutoRemove = opts.Detach && opts.Remove
	return cs, nil
}

// runAttached attaches opts' streams to the created container id, starts
// it and waits for it to exit. It removes it afterwards with opts.Remove;
// when ctx ends first it stops (or removes) it.
func (e *Engine) runAttached(ctx context.Context, id string, s *spec.Service, opts RunOptions) (code int, err error) {
	// Cleanup must happen even when ctx is what ended.
	cleanupCtx := context.WithoutCancel(ctx)
	defer func() {
		if ctx.Err() != nil {
			err = ErrInterrupted
			if !opts.Remove {
				if stopErr := e.docker.ContainerStop(cleanupCtx, id, stopTimeout(nil, s)); stopErr != nil {
					err = errors.Join(err, stopErr)
				}
			}
		}
		if opts.Remove {
			if rmErr := e.docker.ContainerRemove(cleanupCtx, id, true); rmErr != nil && !errors.Is(rmErr, ErrNotFound) {
				err = errors.Join(err, rmErr)
			}
		}
	}()

	if opts.Attaching != nil {
		opts.Attaching()
	}
	// Ending the attach ends its stream copies, whatever happened.
	attachCtx, detach := context.WithCancel(ctx)
	defer detach()
	wait, err := e.docker.ContainerAttach(attachCtx, id, AttachOptions{Streams: opts.Streams})
	if err != nil {
		return 0, err
	}
	var streamErr error
	var streaming sync.WaitGroup
	streaming.Go(func() { streamErr = wait() })
	if err := e.docker.ContainerStart(ctx, id); err != nil {
		return 0, fmt.Errorf("service %s: %w", s.Name, err)
	}
	// post_start hooks run beside the attached one-off, as in Compose; a
	// failing one is the run's error once it ends.
	hookErr := make(chan error, 1)
	go func() { hookErr <- e.postStartOf(ctx, id) }()
	defer func() {
		if herr := <-hookErr; herr != nil && err == nil {
			err = herr
		}
	}()
	if opts.Signals != nil {
		go e.forwardSignals(attachCtx, id, opts.Signals)
	}
	code, err = e.docker.ContainerWait(ctx, id)
	if err != nil {
		return 0, err
	}
	// The output may trail the exit by a moment; do not hang on it.
	done := make(chan struct{})
	go func() { streaming.Wait(); close(done) }()
	select {
	case <-done:
		if streamErr != nil && ctx.Err() == nil {
			e.log.Debug("one-off output: " + streamErr.Error())
		}
	case <-time.After(5 * time.Second):
		e.log.Debug("one-off output did not end after the container exited")
	}
	return code, nil
}

// forwardSignals passes signals on to container id until ctx ends.
func (e *Engine) forwardSignals(ctx context.Context, id string, signals <-chan string) {
	for {
		select {
		case <-ctx.Done():
			return
		case sig := <-signals:
			e.log.Debug("passing a signal on to the one-off", zap.String("signal", sig), zap.String("container", shortID(id)))
			if err := e.docker.ContainerKill(ctx, id, sig); err != nil && ctx.Err() == nil {
				e.log.Debug("pass signal: " + err.Error())
			}
		}
	}
}

// randomSuffix is the short random part of a one-off's name.
func randomSuffix() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random container name: %w", err)
	}
	return hex.EncodeToString(b), nil
}
