package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// watcher follows the daemon's event stream for one project and keeps the
// latest known state of each container, so waits for "healthy" or "exited"
// wake on the event rather than by polling. A slow poll stays as a safety net
// in case the stream drops.
type watcher struct {
	docker Docker

	mu      sync.Mutex
	states  map[string]*watchState
	changed chan struct{} // closed and replaced on every change
}

type watchState struct {
	Running  bool
	Exited   bool
	ExitCode int
	Health   string
	// Ready is set by stack's own readiness probe (see probeReadiness).
	Ready bool
}

const watchPoll = 2 * time.Second

func newWatcher(ctx context.Context, docker Docker, project string) *watcher {
	w := &watcher{docker: docker, states: map[string]*watchState{}, changed: make(chan struct{})}
	events, errs := docker.Events(ctx, Labels{LabelProject: project})
	go func() {
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					return
				}
				if ev.Type == "container" || ev.Type == "" {
					w.apply(ev)
				}
			case <-errs:
				return // the poll in wait takes over
			case <-ctx.Done():
				return
			}
		}
	}()
	return w
}

func (w *watcher) apply(ev Event) {
	w.update(ev.ID, func(st *watchState) {
		switch {
		case ev.Action == "start":
			st.Running, st.Exited = true, false
		case ev.Action == "die":
			st.Running, st.Exited = false, true
			st.ExitCode, _ = strconv.Atoi(ev.Attributes["exitCode"])
		case strings.HasPrefix(ev.Action, "health_status"):
			_, status, _ := strings.Cut(ev.Action, ": ")
			st.Health = strings.TrimSpace(status)
		}
	})
}

func (w *watcher) update(id string, fn func(*watchState)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	st := w.states[id]
	if st == nil {
		st = &watchState{}
		w.states[id] = st
	}
	fn(st)
	close(w.changed)
	w.changed = make(chan struct{})
}

// seed records what an inspect said of id, unless an event already told
// something newer.
func (w *watcher) seed(id string, cs ContainerState) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.states[id]; ok {
		return
	}
	w.states[id] = stateOf(cs)
}

func stateOf(cs ContainerState) *watchState {
	return &watchState{
		Running:  cs.Running,
		Exited:   !cs.Running && !cs.FinishedAt.IsZero() && cs.State != "created",
		ExitCode: cs.ExitCode,
		Health:   cs.Health,
	}
}

// errStillWaiting is returned by a wait check that is not satisfied yet.
var errStillWaiting = errors.New("still waiting")

// wait calls check with the latest state of container id until it returns
// nil (done) or an error other than errStillWaiting.
func (w *watcher) wait(ctx context.Context, id string, check func(watchState) error) error {
	cs, err := w.docker.ContainerInspect(ctx, id)
	if err != nil {
		return fmt.Errorf("inspect container: %w", err)
	}
	w.seed(id, cs)
	poll := time.NewTicker(watchPoll)
	defer poll.Stop()
	for {
		w.mu.Lock()
		st := *w.states[id]
		changed := w.changed
		w.mu.Unlock()
		if err := check(st); !errors.Is(err, errStillWaiting) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		case <-poll.C:
			cs, err := w.docker.ContainerInspect(ctx, id)
			if err != nil {
				return fmt.Errorf("inspect container: %w", err)
			}
			fresh := stateOf(cs)
			w.update(id, func(st *watchState) {
				ready := st.Ready
				*st = *fresh
				st.Ready = ready
			})
		}
	}
}

// markReady records that stack's own readiness probe passed for id.
func (w *watcher) markReady(id string) {
	w.update(id, func(st *watchState) { st.Ready = true })
}
