package dockerfake

import (
	"maps"
	"slices"
	"time"

	"github.com/stack-dev/stack/engine"
)

// FakeContainer is a container of the fake. Hooks get a snapshot: change a
// container through the Fake's methods, not by writing its fields.
type FakeContainer struct {
	ID         string
	Name       string
	Spec       engine.ContainerSpec
	ImageID    string
	State      string // created, running, exited
	Paused     bool   // a running container frozen by ContainerPause
	ExitCode   int
	Health     string // "", starting, healthy, unhealthy
	HealthLog  []string
	Created    time.Time
	StartedAt  time.Time
	FinishedAt time.Time
	// RestartCount is how often its restart policy restarted it since it
	// was last started by hand (ContainerStart), as the daemon counts.
	RestartCount int
	Networks     map[string][]string // network name -> aliases
	Anonymous    []string            // anonymous volumes, removed with it
	// Mounts are the mounts as made, anonymous volumes named (those of
	// Spec.Mounts and of the image's VOLUME paths).
	Mounts []engine.Mount
	// Filesystem is what the archive API sees (cp, export): path -> file,
	// seeded with Spec.Files. Read it through CopyFromContainer.
	Filesystem map[string]FakeFile

	logs []logLine
	// changed is closed and replaced on every state or log change, waking
	// ContainerWait and followed ContainerLogs.
	changed chan struct{}
}

type logLine struct {
	stderr bool
	time   time.Time
	text   string
}

// snapshot copies c for handing out of the lock.
func (c *FakeContainer) snapshot() *FakeContainer {
	cp := *c
	cp.Spec.Labels = maps.Clone(c.Spec.Labels)
	cp.HealthLog = slices.Clone(c.HealthLog)
	cp.Networks = maps.Clone(c.Networks)
	cp.Filesystem = maps.Clone(c.Filesystem)
	cp.logs = nil
	cp.changed = nil
	return &cp
}

// touch wakes everyone waiting on a change of c; the caller holds f.mu.
func (c *FakeContainer) touch() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *FakeContainer) list() engine.Container {
	ctr := engine.Container{
		ID:      c.ID,
		Name:    c.Name,
		Image:   c.Spec.Image,
		ImageID: c.ImageID,
		Labels:  maps.Clone(c.Spec.Labels),
		State:   c.State,
		Created: c.Created,
		Ports:   slices.Clone(c.Spec.Ports),
	}
	if ctr.Labels == nil {
		ctr.Labels = map[string]string{}
	}
	if c.State == "running" && c.Paused {
		ctr.State = "paused"
	}
	return ctr
}

func (c *FakeContainer) inspect() engine.ContainerState {
	st := engine.ContainerState{
		Container:  c.list(),
		Running:    c.State == "running",
		ExitCode:   c.ExitCode,
		Health:     c.Health,
		HealthLog:  slices.Clone(c.HealthLog),
		StartedAt:  c.StartedAt,
		FinishedAt: c.FinishedAt,
		Networks:   map[string][]string{},

		RestartCount: c.RestartCount,
	}
	for name, aliases := range c.Networks {
		st.Networks[name] = slices.Clone(aliases)
	}
	st.Mounts = slices.Clone(c.Mounts)
	return st
}

// eventAttributes are what the daemon puts on a container event: its
// labels, name and image.
func (c *FakeContainer) eventAttributes() map[string]string {
	attrs := maps.Clone(c.Spec.Labels)
	if attrs == nil {
		attrs = map[string]string{}
	}
	attrs["name"] = c.Name
	attrs["image"] = c.Spec.Image
	return attrs
}
