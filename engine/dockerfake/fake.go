// Package dockerfake is an in-memory engine.Docker for tests that need no
// daemon: containers move through created, running and exited, objects
// carry labels and emit events, and tests script what the daemon would do
// (a job exiting, a service turning healthy, an exec's result) with hooks
// and setters. It passes the same conformance suite (engine/dockertest) as
// the real adapter. Every method is safe for concurrent use.
package dockerfake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/stack-dev/stack/engine"
)

// Fake is an in-memory Docker daemon.
type Fake struct {
	// Registry is the fake remote registry, ref -> image: ImagePull copies
	// from it and ImagePush into it. Set it up before use or under Lock.
	Registry map[string]engine.Image

	mu         sync.Mutex
	containers map[string]*FakeContainer  // by ID
	networks   map[string]*engine.Network // by ID
	volumes    map[string]*engine.Volume  // by name
	images     map[string]engine.Image    // by normalised ref and by ID
	calls      map[string]int
	onStart    []func(*FakeContainer)
	onExec     func(c *FakeContainer, cmd []string) (engine.ExecResult, error)
	execs      []engine.ExecOptions // every ExecAttach, without streams
	subs       map[*subscriber]struct{}
	now        func() time.Time
	files      map[string]map[string]*FakeFile // container ID -> path -> file (archive.go)
}

var _ engine.Docker = (*Fake)(nil)

// New returns an empty fake daemon: no containers, networks, volumes or
// images, and an empty registry.
func New() *Fake {
	return &Fake{
		Registry:   map[string]engine.Image{},
		containers: map[string]*FakeContainer{},
		networks:   map[string]*engine.Network{},
		volumes:    map[string]*engine.Volume{},
		images:     map[string]engine.Image{},
		calls:      map[string]int{},
		subs:       map[*subscriber]struct{}{},
		now:        time.Now,
	}
}

// Lock and Unlock guard Registry for tests that change it while the fake
// is in use.
func (f *Fake) Lock()   { f.mu.Lock() }
func (f *Fake) Unlock() { f.mu.Unlock() }

// Simulated tells the conformance suite that this daemon runs no
// processes and has no real networking (no DNS between containers).
func (f *Fake) Simulated() bool { return true }

// Calls returns how often method (e.g. "ContainerCreate") was called.
func (f *Fake) Calls(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

// ResetCalls forgets all call counts, e.g. between the two `up`s of a
// "second up is a no-op" test.
func (f *Fake) ResetCalls() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.calls)
}

// OnStart registers a hook run after every ContainerStart (outside the
// fake's lock, before ContainerStart returns), with a snapshot of the
// started container. Hooks act through the Fake's methods, e.g.
// ExitContainer for a job or, from a goroutine, SetHealth after a delay.
func (f *Fake) OnStart(hook func(c *FakeContainer)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onStart = append(f.onStart, hook)
}

// OnExec sets what Exec does; by default it succeeds with no output.
func (f *Fake) OnExec(fn func(c *FakeContainer, cmd []string) (engine.ExecResult, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onExec = fn
}

// call counts one call of method; the caller holds f.mu.
func (f *Fake) call(method string) { f.calls[method]++ }

// newID returns a random 64-hex-digit ID like the daemon's.
func newID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("dockerfake: random id: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// Version reports a fake daemon speaking the API of the oldest daemon
// stack supports.
func (f *Fake) Version(ctx context.Context) (engine.ServerVersion, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("Version")
	return engine.ServerVersion{Version: "fake", APIVersion: "1.41", OS: "linux", Arch: "amd64"}, nil
}
