// Package devloop is the dev loop behind `stack watch` and `stack up
// --watch`: it watches the files named by each service's develop.watch
// rules and applies them to the running stack (sync into every replica
// through the archive API, rebuild and recreate through the engine, restart,
// exec) until its context ends. See [Run] and [Check].
package devloop

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/fswatch"
	"github.com/stack-dev/stack/spec"
)

// DefaultSettle is how long the loop waits after the last file event before
// it acts: long enough that one save is one sync, short enough to feel
// instant.
const DefaultSettle = 20 * time.Millisecond

// Options tune [Run].
type Options struct {
	// Services are the services to watch; none: every one with rules.
	Services []string
	// Settle is the quiet time that ends a batch (DefaultSettle).
	Settle time.Duration
	// Report receives one Event per applied change (nil: none).
	Report func(Event)
	// Ready, when set, is called once every watch is in place and the
	// initial syncs are done.
	Ready func()
}

// Event is one change the loop applied, or failed to.
type Event struct {
	Time     time.Time     `json:"time"`
	Service  string        `json:"service"`
	Action   string        `json:"action"` // sync, rebuild, restart, exec
	Files    int           `json:"files,omitempty"`
	Removed  int           `json:"removed,omitempty"`
	Replicas int           `json:"replicas,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	// Detail is extra text: what was skipped, a command's output.
	Detail string `json:"detail,omitempty"`
	Error  string `json:"error,omitempty"`
}

// String is the line the user sees: "synced 3 files to api (2 replicas) in
// 41ms", "rebuilt web in 2.1s".
func (e Event) String() string {
	d := e.Duration.Round(time.Millisecond)
	if d >= time.Second {
		d = e.Duration.Round(100 * time.Millisecond)
	}
	var b strings.Builder
	switch {
	case e.Error != "" && e.Action == spec.WatchRebuild:
		fmt.Fprintf(&b, "rebuild of %s failed, the old containers keep running: %s", e.Service, e.Error)
	case e.Error != "":
		fmt.Fprintf(&b, "%s of %s failed: %s", e.Action, e.Service, e.Error)
	case e.Action == spec.WatchSync:
		var parts []string
		if e.Files > 0 || e.Removed == 0 {
			parts = append(parts, "synced "+plural(e.Files, "file"))
		}
		if e.Removed > 0 {
			parts = append(parts, "removed "+plural(e.Removed, "path"))
		}
		fmt.Fprintf(&b, "%s %s %s (%s) in %s", strings.Join(parts, ", "), map[bool]string{true: "to", false: "in"}[e.Files > 0 || e.Removed == 0], e.Service, plural(e.Replicas, "replica"), d)
	case e.Action == spec.WatchRebuild && e.Detail != "":
		fmt.Fprintf(&b, "rebuilt %s in %s (%s)", e.Service, d, e.Detail)
	case e.Action == spec.WatchRebuild:
		fmt.Fprintf(&b, "rebuilt %s in %s", e.Service, d)
	case e.Action == spec.WatchRestart:
		fmt.Fprintf(&b, "restarted %s (%s) in %s", e.Service, plural(e.Replicas, "replica"), d)
	case e.Action == "exec":
		fmt.Fprintf(&b, "ran exec in %s (%s) in %s", e.Service, plural(e.Replicas, "replica"), d)
	default:
		fmt.Fprintf(&b, "%s %s in %s", e.Action, e.Service, d)
	}
	if e.Detail != "" && e.Action != spec.WatchRebuild {
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Run watches the services' rules and applies them until ctx ends; it
// returns nil then. It checks the rules first (see [Check]) and returns
// their error before watching anything. eng recreates containers for
// rebuild and restarts them; docker reaches the containers for sync and
// exec.
func Run(ctx context.Context, eng *engine.Engine, docker engine.Docker, p *spec.Project, opts Options) error {
	services, err := Check(p, opts.Services)
	if err != nil {
		return err
	}
	report := opts.Report
	if report == nil {
		report = func(Event) {}
	}
	l := &loop{eng: eng, docker: docker, p: p, report: func(ev Event) {
		// An action cut short because the loop is ending (Ctrl-C) did not
		// fail: "rebuild of web failed, the old containers keep running"
		// would be wrong as they are being stopped.
		if ev.Error != "" && ctx.Err() != nil {
			return
		}
		report(ev)
	}}
	settle := opts.Settle
	if settle <= 0 {
		settle = DefaultSettle
	}
	fw, err := fswatch.New(settle)
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	for _, name := range services {
		s := p.Services[name]
		for _, wr := range s.Develop.Watch {
			r, err := newRule(s, wr)
			if err != nil {
				fw.Close()
				return fmt.Errorf("watch %s: %w", name, err)
			}
			if err := fw.Add(r.Path); err != nil {
				fw.Close()
				return fmt.Errorf("watch %s: %w", r.Path, err)
			}
			l.rules = append(l.rules, r)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go fw.Run(ctx)
	go l.followContainers(ctx)

	for _, r := range l.rules {
		if r.InitialSync && r.Syncs() {
			l.apply(ctx, r.service, []string{r.Path}, true)
		}
	}
	if opts.Ready != nil {
		opts.Ready()
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-fw.Errors():
			return fmt.Errorf("watch: %w", err)
		case <-fw.Ready():
			l.batch(ctx, fw.Take())
		}
	}
}

type loop struct {
	eng    *engine.Engine
	docker engine.Docker
	p      *spec.Project
	rules  []*rule
	report func(Event)

	// ids caches each service's running containers between batches, so a
	// sync costs its archive PUTs alone; any container event of the
	// project clears it.
	mu  sync.Mutex
	ids map[string][]string
	gen int // counts container events, so a list that raced one is not kept
}

// followContainers clears the container cache on every container event of
// the project until ctx ends; if the event stream fails, the cache is
// switched off.
func (l *loop) followContainers(ctx context.Context) {
	events, errs := l.docker.Events(ctx, engine.Labels{engine.LabelProject: l.p.Name})
	l.mu.Lock()
	l.ids = map[string][]string{}
	l.mu.Unlock()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			if ev.Type == "container" {
				l.mu.Lock()
				delete(l.ids, ev.Attributes[engine.LabelService])
				l.gen++
				l.mu.Unlock()
			}
		case <-errs:
			l.mu.Lock()
			l.ids = nil
			l.mu.Unlock()
			return
		}
	}
}

// batch applies one settled batch of changed paths, service by service.
func (l *loop) batch(ctx context.Context, changed []string) {
	sort.Strings(changed)
	byService := map[string]bool{}
	for _, r := range l.rules {
		for _, p := range changed {
			if r.matches(p) {
				byService[r.service] = true
				break
			}
		}
	}
	for _, name := range sortedKeys(byService) {
		l.apply(ctx, name, changed, false)
	}
}

// apply runs the rules of one service for changed paths: a rebuild covers
// everything; otherwise syncs, then a restart, then the execs.
func (l *loop) apply(ctx context.Context, service string, changed []string, initial bool) {
	var rules []*rule
	for _, r := range l.rules {
		if r.service == service && (!initial || r.InitialSync && r.Syncs()) {
			rules = append(rules, r)
		}
	}
	matched := map[*rule]bool{}
	for _, r := range rules {
		for _, p := range changed {
			if r.matches(p) {
				matched[r] = true
				break
			}
		}
	}
	for _, r := range rules {
		if matched[r] && r.Action == spec.WatchRebuild {
			l.rebuild(ctx, service)
			return
		}
	}
	ids, err := l.running(ctx, service)
	if err != nil {
		l.report(Event{Time: time.Now(), Service: service, Action: spec.WatchSync, Error: err.Error()})
		return
	}
	restart := false
	var execs []*rule
	for _, r := range rules {
		if !matched[r] {
			continue
		}
		switch r.Action {
		case spec.WatchRestart:
			restart = true
			continue
		case spec.WatchSyncRestart:
			restart = true
		case spec.WatchSyncExec:
			execs = append(execs, r)
		}
		if !r.Syncs() {
			continue
		}
		start := time.Now()
		set, err := r.collect(changed)
		if err == nil && set.empty() {
			continue
		}
		if err == nil && len(ids) > 0 {
			err = set.apply(ctx, l.docker, ids)
		}
		ev := Event{Time: time.Now(), Service: service, Action: spec.WatchSync, Replicas: len(ids), Duration: time.Since(start)}
		if err != nil {
			ev.Error = err.Error()
		} else {
			ev.Files, ev.Removed = set.files, len(set.removes)
			if len(set.skipped) > 0 {
				ev.Detail = "skipped " + strings.Join(set.skipped, ", ") + " (links out of " + r.Path + " or special files)"
			}
		}
		if len(ids) == 0 && err == nil {
			ev.Detail = "no running container"
		}
		l.report(ev)
	}
	if restart && !initial {
		l.restart(ctx, service, len(ids))
	}
	for _, r := range execs {
		l.exec(ctx, service, r, ids)
	}
}

// running lists the IDs of the service's running containers (not one-offs).
func (l *loop) running(ctx context.Context, service string) ([]string, error) {
	l.mu.Lock()
	ids, ok := l.ids[service]
	gen := l.gen
	l.mu.Unlock()
	if ok {
		return ids, nil
	}
	ids, err := l.list(ctx, service)
	if err == nil {
		l.mu.Lock()
		if l.ids != nil && l.gen == gen {
			l.ids[service] = ids
		}
		l.mu.Unlock()
	}
	return ids, err
}

func (l *loop) list(ctx context.Context, service string) ([]string, error) {
	cs, err := l.docker.ContainerList(ctx, engine.Labels{engine.LabelProject: l.p.Name, engine.LabelService: service})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, c := range cs {
		if c.State == "running" && c.Labels[engine.LabelOneoff] != "True" {
			ids = append(ids, c.ID)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// rebuild builds the service's image (skipped by the engine when its
// context and config are unchanged) and converges its containers as up
// does. A failing build leaves the old containers as they are. Its
// dependencies are running already and are left alone, as with `up
// --no-deps`: not rebuilt, not restarted (a one-shot that exited is not run
// again).
func (l *loop) rebuild(ctx context.Context, service string) {
	start := time.Now()
	plan, err := l.eng.Up(ctx, l.p, engine.UpOptions{Plan: engine.PlanOptions{Services: []string{service}, NoDeps: true}})
	ev := Event{Time: time.Now(), Service: service, Action: spec.WatchRebuild, Duration: time.Since(start)}
	if err != nil {
		ev.Error = err.Error()
	} else if plan != nil {
		n := 0
		for _, sp := range plan.Services {
			if sp.Service != service {
				continue
			}
			for _, a := range sp.Actions {
				if a.Kind == engine.ActRecreate || a.Kind == engine.ActCreate {
					n++
				}
			}
			ev.Replicas = len(sp.Actions)
		}
		if n == 0 {
			ev.Detail = "unchanged, nothing recreated"
		}
	}
	l.report(ev)
}

func (l *loop) restart(ctx context.Context, service string, replicas int) {
	start := time.Now()
	err := l.eng.Restart(ctx, l.p.Name, engine.StopOptions{Services: []string{service}})
	ev := Event{Time: time.Now(), Service: service, Action: spec.WatchRestart, Replicas: replicas, Duration: time.Since(start)}
	if err != nil {
		ev.Error = err.Error()
	}
	l.report(ev)
}

// exec runs a sync+exec rule's command in every container.
func (l *loop) exec(ctx context.Context, service string, r *rule, ids []string) {
	start := time.Now()
	e := r.Exec
	var env []string
	for _, k := range sortedKeys(e.Environment) {
		env = append(env, k+"="+e.Environment[k])
	}
	outs := make([]string, len(ids))
	g, gctx := errgroup.WithContext(ctx)
	for i, id := range ids {
		g.Go(func() error {
			var out bytes.Buffer
			code, err := l.docker.ExecAttach(gctx, id, engine.ExecOptions{Cmd: e.Command, User: e.User, WorkingDir: e.WorkingDir, Env: env,
				Streams: engine.Streams{Stdout: &out, Stderr: &out}})
			outs[i] = strings.TrimSpace(out.String())
			if err != nil {
				return err
			}
			if code != 0 {
				return fmt.Errorf("%s exited with %d: %s", strings.Join(e.Command, " "), code, outs[i])
			}
			return nil
		})
	}
	err := g.Wait()
	ev := Event{Time: time.Now(), Service: service, Action: "exec", Replicas: len(ids), Duration: time.Since(start)}
	if err != nil {
		ev.Error = err.Error()
	}
	l.report(ev)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
