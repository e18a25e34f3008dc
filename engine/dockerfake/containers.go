package dockerfake

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stack-dev/stack/engine"
)

// ContainerList lists containers in any state whose labels match, oldest
// first.
func (f *Fake) ContainerList(ctx context.Context, labels engine.Labels) ([]engine.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ContainerList")
	now := f.now()
	out := []engine.Container{}
	for _, c := range f.containers {
		if matchLabels(labels, c.Spec.Labels) {
			ctr := c.list()
			ctr.Status = c.status(now)
			out = append(out, ctr)
		}
	}
	slices.SortFunc(out, func(a, b engine.Container) int { return a.Created.Compare(b.Created) })
	return out, nil
}

// ContainerInspect returns a container by ID, unique ID prefix or name.
func (f *Fake) ContainerInspect(ctx context.Context, id string) (engine.ContainerState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ContainerInspect")
	c, err := f.container(id)
	if err != nil {
		return engine.ContainerState{}, fmt.Errorf("inspect container %s: %w", id, err)
	}
	return c.inspect(), nil
}

// ContainerCreate creates a container in state created, attached to the
// networks of spec. Its image and networks must exist; its name must be
// free; named volumes it mounts are created as the daemon does.
func (f *Fake) ContainerCreate(ctx context.Context, spec engine.ContainerSpec) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ContainerCreate")
	fail := func(err error) (string, error) { return "", fmt.Errorf("create container %s: %w", spec.Name, err) }
	img, ok := f.image(spec.Image)
	if !ok {
		return fail(fmt.Errorf("no such image %s: %w", spec.Image, engine.ErrNotFound))
	}
	id := newID()
	name := spec.Name
	if name == "" {
		name = "fake_" + id[:12]
	}
	if _, err := f.container(name); err == nil {
		return fail(fmt.Errorf("name %q in use: %w", name, engine.ErrConflict))
	}
	c := &FakeContainer{
		ID:       id,
		Name:     name,
		Spec:     spec,
		ImageID:  img.ID,
		State:    "created",
		Created:  f.now(),
		Networks: map[string][]string{},
		changed:  make(chan struct{}),
	}
	for _, att := range spec.Networks {
		n, err := f.network(att.Network)
		if err != nil {
			return fail(err)
		}
		c.Networks[n.Name] = slices.Clone(att.Aliases)
	}
	anonymous := func(target string) engine.Mount {
		anon := newID()
		f.volumes[anon] = &engine.Volume{Name: anon, Driver: "local", Labels: map[string]string{}}
		c.Anonymous = append(c.Anonymous, anon)
		return engine.Mount{Type: "volume", Source: anon, Target: target}
	}
	for _, m := range spec.Mounts {
		if m.Type != "volume" {
			c.Mounts = append(c.Mounts, engine.Mount{Type: m.Type, Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly})
			continue
		}
		if m.Source == "" {
			made := anonymous(m.Target)
			made.ReadOnly = m.ReadOnly
			c.Mounts = append(c.Mounts, made)
			continue
		}
		c.Mounts = append(c.Mounts, engine.Mount{Type: "volume", Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly})
		if _, ok := f.volumes[m.Source]; !ok {
			v := &engine.Volume{Name: m.Source, Driver: "local", Labels: map[string]string{}}
			f.volumes[v.Name] = v
			f.emitVolume(v, "create")
		}
	}
	// The image's VOLUME paths that no mount covers get an anonymous
	// volume each, as with the daemon.
	for _, path := range img.Volumes {
		if !slices.ContainsFunc(c.Mounts, func(m engine.Mount) bool { return m.Target == path }) {
			c.Mounts = append(c.Mounts, anonymous(path))
		}
	}
	f.containers[id] = c
	f.emitContainer(c, "create", nil)
	return id, nil
}

// ContainerStart starts a created or exited container, then runs the
// OnStart hooks. Starting a running container does nothing.
func (f *Fake) ContainerStart(ctx context.Context, id string) error {
	f.mu.Lock()
	f.call("ContainerStart")
	c, err := f.container(id)
	if err != nil {
		f.mu.Unlock()
		return fmt.Errorf("start container %s: %w", id, err)
	}
	if c.State == "running" {
		f.mu.Unlock()
		return nil
	}
	// Started by hand, the count of restarts by policy begins again.
	c.RestartCount = 0
	f.start(c)
	return nil
}

// start runs c and then the OnStart hooks; the caller holds f.mu, which
// start releases.
func (f *Fake) start(c *FakeContainer) {
	// FinishedAt keeps the last exit, as the daemon's does.
	c.State, c.ExitCode, c.StartedAt = "running", 0, f.now()
	if hc := c.Spec.Healthcheck; hc != nil && !slices.Equal(hc.Test, []string{"NONE"}) {
		c.Health = "starting"
	}
	c.touch()
	f.emitContainer(c, "start", nil)
	hooks := slices.Clone(f.onStart)
	snap := c.snapshot()
	f.mu.Unlock()

	for _, hook := range hooks {
		hook(snap)
	}
}

// ContainerStop stops a running container; it exits with code 0, as a
// process that handles its stop signal does. Stopping a stopped container
// does nothing.
func (f *Fake) ContainerStop(ctx context.Context, id string, timeout *time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ContainerStop")
	c, err := f.container(id)
	if err != nil {
		return fmt.Errorf("stop container %s: %w", id, err)
	}
	if c.State != "running" {
		return nil
	}
	f.emitContainer(c, "kill", map[string]string{"signal": "15"})
	f.exit(c, 0)
	f.emitContainer(c, "stop", nil)
	return nil
}

// ContainerKill kills a running container with signal ("" is SIGKILL); it
// exits with 128 + the signal's number, as an unhandled signal does.
func (f *Fake) ContainerKill(ctx context.Context, id string, signal string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ContainerKill")
	c, err := f.container(id)
	if err != nil {
		return fmt.Errorf("kill container %s: %w", id, err)
	}
	if c.State != "running" {
		return fmt.Errorf("kill container %s: container is not running: %w", id, engine.ErrConflict)
	}
	num, err := signalNumber(signal)
	if err != nil {
		return fmt.Errorf("kill container %s: %w", id, err)
	}
	f.emitContainer(c, "kill", map[string]string{"signal": strconv.Itoa(num)})
	f.exit(c, 128+num)
	return nil
}

// ContainerRemove removes a container and its anonymous volumes; a running
// one only with force.
func (f *Fake) ContainerRemove(ctx context.Context, id string, force bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ContainerRemove")
	c, err := f.container(id)
	if err != nil {
		return fmt.Errorf("remove container %s: %w", id, err)
	}
	if c.State == "running" {
		if !force {
			return fmt.Errorf("remove container %s: container is running: stop it first or force: %w", id, engine.ErrConflict)
		}
		f.emitContainer(c, "kill", map[string]string{"signal": "9"})
		f.exit(c, 137)
		if c.Spec.AutoRemove {
			return nil // exit removed it
		}
	}
	f.remove(c)
	return nil
}

// ContainerRename renames a container; the new name must be free.
func (f *Fake) ContainerRename(ctx context.Context, id, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ContainerRename")
	c, err := f.container(id)
	if err != nil {
		return fmt.Errorf("rename container %s: %w", id, err)
	}
	if other, err := f.container(name); err == nil && other != c {
		return fmt.Errorf("rename container %s: name %q in use: %w", id, name, engine.ErrConflict)
	}
	old := c.Name
	c.Name = name
	f.emitContainer(c, "rename", map[string]string{"oldName": "/" + old})
	return nil
}

// ContainerWait blocks until the container is not running and returns its
// exit code.
func (f *Fake) ContainerWait(ctx context.Context, id string) (int, error) {
	f.mu.Lock()
	f.call("ContainerWait")
	c, err := f.container(id)
	if err != nil {
		f.mu.Unlock()
		return 0, fmt.Errorf("wait for container %s: %w", id, err)
	}
	for c.State == "running" {
		changed := c.changed
		f.mu.Unlock()
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("wait for container %s: %w", id, ctx.Err())
		case <-changed:
		}
		f.mu.Lock()
	}
	defer f.mu.Unlock()
	return c.ExitCode, nil
}

// ExitContainer makes a running container exit with code, as its process
// ending would (a "die" event).
func (f *Fake) ExitContainer(id string, code int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container(id)
	if err != nil {
		return fmt.Errorf("exit container %s: %w", id, err)
	}
	if c.State != "running" {
		return fmt.Errorf("exit container %s: not running: %w", id, engine.ErrConflict)
	}
	f.exit(c, code)
	if restartsAfter(c, code) {
		// The daemon restarts it by itself, a moment later.
		go f.restartByPolicy(c, c.FinishedAt)
	}
	return nil
}

// restartsAfter tells whether c's restart policy restarts it after its
// process exited with code (not after a stop or kill by hand).
func restartsAfter(c *FakeContainer, code int) bool {
	if c.Spec.AutoRemove {
		return false
	}
	switch c.Spec.RestartPolicy {
	case "always", "unless-stopped":
		return true
	case "on-failure":
		return code != 0 && (c.Spec.RestartMax <= 0 || c.RestartCount < c.Spec.RestartMax)
	}
	return false
}

// restartByPolicy starts c again, unless something else started or
// removed it since the exit at finished.
func (f *Fake) restartByPolicy(c *FakeContainer, finished time.Time) {
	f.mu.Lock()
	if cur, err := f.container(c.ID); err != nil || cur != c || c.State != "exited" || !c.FinishedAt.Equal(finished) {
		f.mu.Unlock()
		return
	}
	c.RestartCount++
	f.start(c)
}

// SetHealth sets the health status of a container ("starting", "healthy",
// "unhealthy"), emitting "health_status: <status>" as the daemon does.
func (f *Fake) SetHealth(id, status string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container(id)
	if err != nil {
		return fmt.Errorf("set health of %s: %w", id, err)
	}
	c.Health = status
	c.HealthLog = append(c.HealthLog, status)
	if len(c.HealthLog) > 5 {
		c.HealthLog = c.HealthLog[len(c.HealthLog)-5:]
	}
	c.touch()
	f.emitContainer(c, "health_status: "+status, nil)
	return nil
}

// Container returns a snapshot of a container by ID, ID prefix or name.
func (f *Fake) Container(id string) (*FakeContainer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container(id)
	if err != nil {
		return nil, err
	}
	return c.snapshot(), nil
}

// exit moves c to exited with code; the caller holds f.mu.
func (f *Fake) exit(c *FakeContainer, code int) {
	c.State, c.ExitCode, c.FinishedAt, c.Paused = "exited", code, f.now(), false
	c.touch()
	f.emitContainer(c, "die", map[string]string{"exitCode": strconv.Itoa(code)})
	if c.Spec.AutoRemove {
		f.remove(c)
	}
}

// remove deletes a container that is not running, with its anonymous
// volumes; the caller holds f.mu.
func (f *Fake) remove(c *FakeContainer) {
	delete(f.containers, c.ID)
	for _, anon := range c.Anonymous {
		// One another container mounts by name stays, as with the daemon.
		if f.volumeUser(anon) == nil {
			delete(f.volumes, anon)
		}
	}
	c.State = "removed"
	c.touch()
	f.emitContainer(c, "destroy", nil)
}

// container finds a container by ID, unique ID prefix or name (with or
// without the leading slash); the caller holds f.mu.
func (f *Fake) container(ref string) (*FakeContainer, error) {
	ref = strings.TrimPrefix(ref, "/")
	if c, ok := f.containers[ref]; ok {
		return c, nil
	}
	var byPrefix []*FakeContainer
	for _, c := range f.containers {
		if c.Name == ref {
			return c, nil
		}
		if ref != "" && strings.HasPrefix(c.ID, ref) {
			byPrefix = append(byPrefix, c)
		}
	}
	if len(byPrefix) == 1 {
		return byPrefix[0], nil
	}
	return nil, fmt.Errorf("no such container: %s: %w", ref, engine.ErrNotFound)
}

// signalNumber parses "KILL", "SIGKILL" or "9"; "" is SIGKILL.
func signalNumber(s string) (int, error) {
	if s == "" {
		return 9, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 && n < 65 {
		return n, nil
	}
	// Linux numbers: containers are Linux processes whatever the host.
	names := map[string]int{"HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12, "TERM": 15}
	if n, ok := names[strings.TrimPrefix(strings.ToUpper(s), "SIG")]; ok {
		return n, nil
	}
	return 0, fmt.Errorf("invalid signal %q", s)
}

func matchLabels(want engine.Labels, have map[string]string) bool {
	for k, v := range want {
		got, ok := have[k]
		if !ok || (v != "" && got != v) {
			return false
		}
	}
	return true
}
