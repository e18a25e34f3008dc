// Package swarmfake is an in-memory [swarm.Swarm]: services whose tasks
// run (or, for jobs, complete) at once, networks, secrets and configs. It
// passes the conformance suite in swarm/swarmtest.
package swarmfake

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stack-dev/stack/swarm"
)

// Fake is an in-memory swarm manager. The zero value is not a manager;
// use New.
type Fake struct {
	mu       sync.Mutex
	manager  bool
	next     int
	services map[string]*swarm.Service
	tasks    map[string][]swarm.Task
	logs     map[string][]swarm.LogLine
	networks map[string]swarm.Network
	secrets  map[string]object
	configs  map[string]object
	// Calls counts the calls that change something, by method name.
	Calls map[string]int
}

type object struct {
	swarm.Object
	data []byte
}

var _ swarm.Swarm = (*Fake)(nil)

// New returns an empty swarm whose engine is a manager.
func New() *Fake {
	return &Fake{
		manager:  true,
		services: map[string]*swarm.Service{},
		tasks:    map[string][]swarm.Task{},
		logs:     map[string][]swarm.LogLine{},
		networks: map[string]swarm.Network{},
		secrets:  map[string]object{},
		configs:  map[string]object{},
		Calls:    map[string]int{},
	}
}

// SetManager makes the engine a manager or not.
func (f *Fake) SetManager(ok bool) { f.mu.Lock(); f.manager = ok; f.mu.Unlock() }

func (f *Fake) id(prefix string) string {
	f.next++
	return prefix + strconv.Itoa(f.next)
}

func match(have, want map[string]string) bool {
	for k, v := range want {
		if hv, ok := have[k]; !ok || hv != v {
			return false
		}
	}
	return true
}

func clone[T any](v T) T {
	b, _ := json.Marshal(v)
	var out T
	_ = json.Unmarshal(b, &out)
	return out
}

func (f *Fake) Manager(ctx context.Context) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.manager, nil
}

func (f *Fake) ServiceList(ctx context.Context, labels map[string]string) ([]swarm.Service, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []swarm.Service
	for _, s := range f.services {
		if match(s.Spec.Labels, labels) {
			out = append(out, clone(*s))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Spec.Name < out[j].Spec.Name })
	return out, nil
}

func (f *Fake) ServiceCreate(ctx context.Context, spec swarm.ServiceSpec) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Calls["ServiceCreate"]++
	for _, s := range f.services {
		if s.Spec.Name == spec.Name {
			return "", fmt.Errorf("service %s: %w", spec.Name, swarm.ErrConflict)
		}
	}
	if err := f.checkRefs(spec); err != nil {
		return "", err
	}
	id := f.id("svc")
	f.services[id] = &swarm.Service{ID: id, Version: 1, Spec: clone(spec)}
	f.schedule(id)
	return id, nil
}

func (f *Fake) checkRefs(spec swarm.ServiceSpec) error {
	for _, r := range spec.Secrets {
		if _, ok := f.secrets[r.ID]; !ok {
			return fmt.Errorf("secret %s: %w", r.Name, swarm.ErrNotFound)
		}
	}
	for _, r := range spec.Configs {
		if _, ok := f.configs[r.ID]; !ok {
			return fmt.Errorf("config %s: %w", r.Name, swarm.ErrNotFound)
		}
	}
	for _, n := range spec.Networks {
		found := false
		for _, have := range f.networks {
			found = found || have.Name == n.Target || have.ID == n.Target
		}
		if !found {
			return fmt.Errorf("network %s: %w", n.Target, swarm.ErrNotFound)
		}
	}
	return nil
}

// schedule replaces the service's tasks with ones of its current version,
// all at once: the fake's rolling update completes as it starts.
func (f *Fake) schedule(id string) {
	s := f.services[id]
	old := f.tasks[id]
	now := time.Now()
	for i := range old {
		old[i].UpToDate = false
		if old[i].DesiredState == swarm.TaskRunning {
			old[i].DesiredState = swarm.TaskShutdown
			old[i].State = swarm.TaskShutdown
			old[i].Since = now
		}
	}
	n := 1
	if s.Spec.Replicas != nil {
		n = int(*s.Spec.Replicas)
	}
	state, desired := swarm.TaskRunning, swarm.TaskRunning
	if s.Spec.Mode == swarm.ModeReplicatedJob {
		state, desired = swarm.TaskComplete, swarm.TaskComplete
	}
	var fresh []swarm.Task
	for i := 1; i <= n; i++ {
		slot := i
		if s.Spec.Mode == swarm.ModeReplicatedJob {
			slot = 0 // as a swarm has it: a job's tasks have no slot
		}
		t := swarm.Task{ID: f.id("task"), ServiceID: id, Slot: slot, NodeID: "node1", Node: "fake-node", State: state, DesiredState: desired,
			Version: s.Version, Created: now, Since: now, UpToDate: true, Image: s.Spec.Image}
		fresh = append(fresh, t)
		// What the fake's task "logs": the command it runs.
		f.logs[id] = append(f.logs[id], swarm.LogLine{TaskID: t.ID, NodeID: t.NodeID, Text: strings.TrimSpace(strings.Join(append(append([]string{}, s.Spec.Command...), s.Spec.Args...), " ") + " (fake task " + t.ID + ")")})
	}
	f.tasks[id] = append(fresh, old...)
}

// ServiceLogs calls each with what the service's tasks logged: one line
// per task, the command it runs. Following waits for ctx to end.
func (f *Fake) ServiceLogs(ctx context.Context, serviceID string, opts swarm.LogOptions, each func(swarm.LogLine)) error {
	f.mu.Lock()
	if _, ok := f.services[serviceID]; !ok {
		f.mu.Unlock()
		return fmt.Errorf("service %s: %w", serviceID, swarm.ErrNotFound)
	}
	lines := append([]swarm.LogLine(nil), f.logs[serviceID]...)
	f.mu.Unlock()
	if n, err := strconv.Atoi(opts.Tail); err == nil && n < len(lines) {
		lines = lines[len(lines)-n:]
	}
	for _, l := range lines {
		each(l)
	}
	if opts.Follow {
		<-ctx.Done()
	}
	return nil
}

func (f *Fake) ServiceUpdate(ctx context.Context, id string, version uint64, spec swarm.ServiceSpec) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Calls["ServiceUpdate"]++
	s, ok := f.services[id]
	if !ok {
		return fmt.Errorf("service %s: %w", id, swarm.ErrNotFound)
	}
	if s.Version != version {
		return fmt.Errorf("service %s: update out of sequence (version %d, have %d)", id, version, s.Version)
	}
	if s.Spec.Mode != spec.Mode {
		return fmt.Errorf("service %s: a service's mode cannot change", id)
	}
	if err := f.checkRefs(spec); err != nil {
		return err
	}
	s.Spec = clone(spec)
	s.Version++
	now := time.Now()
	s.Update = swarm.UpdateStatus{State: swarm.UpdateCompleted, Started: now, Completed: now, Message: "update completed"}
	f.schedule(id)
	return nil
}

func (f *Fake) ServiceRemove(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Calls["ServiceRemove"]++
	if _, ok := f.services[id]; !ok {
		return fmt.Errorf("service %s: %w", id, swarm.ErrNotFound)
	}
	delete(f.services, id)
	delete(f.tasks, id)
	delete(f.logs, id)
	return nil
}

func (f *Fake) TaskList(ctx context.Context, serviceID string) ([]swarm.Task, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.services[serviceID]; !ok {
		return nil, fmt.Errorf("service %s: %w", serviceID, swarm.ErrNotFound)
	}
	return append([]swarm.Task(nil), f.tasks[serviceID]...), nil
}

func (f *Fake) NetworkList(ctx context.Context, labels map[string]string) ([]swarm.Network, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []swarm.Network
	for _, n := range f.networks {
		if match(n.Labels, labels) {
			out = append(out, clone(n))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (f *Fake) NetworkCreate(ctx context.Context, spec swarm.NetworkSpec) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Calls["NetworkCreate"]++
	for _, n := range f.networks {
		if n.Name == spec.Name {
			return "", fmt.Errorf("network %s: %w", spec.Name, swarm.ErrConflict)
		}
	}
	driver := spec.Driver
	if driver == "" {
		driver = "overlay"
	}
	id := f.id("net")
	f.networks[id] = swarm.Network{ID: id, Name: spec.Name, Labels: clone(spec.Labels), Driver: driver}
	return id, nil
}

func (f *Fake) NetworkRemove(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Calls["NetworkRemove"]++
	n, ok := f.networks[id]
	if !ok {
		return fmt.Errorf("network %s: %w", id, swarm.ErrNotFound)
	}
	for _, s := range f.services {
		for _, a := range s.Spec.Networks {
			if a.Target == n.Name || a.Target == n.ID {
				return fmt.Errorf("network %s is in use by service %s", n.Name, s.Spec.Name)
			}
		}
	}
	delete(f.networks, id)
	return nil
}

func (f *Fake) SecretList(ctx context.Context, labels map[string]string) ([]swarm.Object, error) {
	return f.list(f.secrets, labels), nil
}

func (f *Fake) SecretCreate(ctx context.Context, spec swarm.ObjectSpec) (string, error) {
	return f.create("secret", f.secrets, spec)
}

func (f *Fake) SecretRemove(ctx context.Context, id string) error {
	return f.remove("secret", f.secrets, id, func(s swarm.ServiceSpec) []swarm.FileRef { return s.Secrets })
}

func (f *Fake) ConfigList(ctx context.Context, labels map[string]string) ([]swarm.Object, error) {
	return f.list(f.configs, labels), nil
}

func (f *Fake) ConfigCreate(ctx context.Context, spec swarm.ObjectSpec) (string, error) {
	return f.create("config", f.configs, spec)
}

func (f *Fake) ConfigRemove(ctx context.Context, id string) error {
	return f.remove("config", f.configs, id, func(s swarm.ServiceSpec) []swarm.FileRef { return s.Configs })
}

func (f *Fake) list(m map[string]object, labels map[string]string) []swarm.Object {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []swarm.Object
	for _, o := range m {
		if match(o.Labels, labels) {
			out = append(out, clone(o.Object))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (f *Fake) create(kind string, m map[string]object, spec swarm.ObjectSpec) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Calls[kind+"Create"]++
	for _, o := range m {
		if o.Name == spec.Name {
			return "", fmt.Errorf("%s %s: %w", kind, spec.Name, swarm.ErrConflict)
		}
	}
	id := f.id(kind)
	m[id] = object{Object: swarm.Object{ID: id, Name: spec.Name, Labels: clone(spec.Labels)}, data: append([]byte(nil), spec.Data...)}
	return id, nil
}

func (f *Fake) remove(kind string, m map[string]object, id string, refs func(swarm.ServiceSpec) []swarm.FileRef) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Calls[kind+"Remove"]++
	o, ok := m[id]
	if !ok {
		return fmt.Errorf("%s %s: %w", kind, id, swarm.ErrNotFound)
	}
	for _, s := range f.services {
		for _, r := range refs(s.Spec) {
			if r.ID == id {
				return fmt.Errorf("%s %s is in use by service %s", kind, o.Name, s.Spec.Name)
			}
		}
	}
	delete(m, id)
	return nil
}
