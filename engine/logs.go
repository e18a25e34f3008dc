package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"
)

// LogsOptions tune `logs`.
type LogsOptions struct {
	Services []string
	LogOptions
	// Rejoin, with Follow, also follows the containers that start after
	// Logs began (new replicas, recreated containers) and those that start
	// again (restarts), until ctx ends: a stream that ends does not end the
	// following, as it does in `docker compose logs -f`.
	Rejoin bool
	// KeepFollowing, with Rejoin, is asked whenever the last open stream
	// ends; Logs returns once it says no (nil: follow until ctx ends).
	KeepFollowing func(ctx context.Context) (bool, error)
	// Ended, if set, is called when a container's stream ends (with
	// Follow: the container stopped), with its exit code (-1 if it is not
	// known, or the container still runs).
	Ended func(container, service string, exitCode int)
}

// LogLine is one line of a container's output.
type LogLine struct {
	Container string // container name
	Service   string
	Number    int
	Stderr    bool
	Text      string // without the trailing newline
}

// Logs copies the output of the project's containers to sink, one call per
// line, until every stream is done or, with Follow, ctx ends. sink is called
// from several goroutines at once.
func (e *Engine) Logs(ctx context.Context, project string, opts LogsOptions, sink func(LogLine)) error {
	var events <-chan Event
	var eventErrs <-chan error
	if opts.Follow && opts.Rejoin {
		// Subscribed before observing, so no start falls between the two.
		eventsCtx, stop := context.WithCancel(ctx)
		defer stop()
		events, eventErrs = e.docker.Events(eventsCtx, Labels{LabelProject: project})
	}
	obs, err := e.observe(ctx, project)
	if err != nil {
		return err
	}
	f := &logFollower{e: e, ctx: ctx, opts: opts, sink: sink, rejoining: events != nil,
		ended: make(chan string, 16), dies: map[string]chan int{}}
	streaming := map[string]bool{}
	// Without service names, services with attach: false are left out, as
	// in Compose; named, they are followed.
	attached := func(c ObservedContainer) bool { return len(opts.Services) > 0 || c.Labels[LabelAttach] != "false" }
	for _, c := range filterContainers(obs.Containers, opts.Services, attached) {
		streaming[c.ID] = true
		f.follow(c.ID, LogLine{Container: c.Name, Service: c.Service, Number: c.Number}, opts.LogOptions, c.Running())
	}
	if events != nil {
		f.rejoin(events, eventErrs, streaming)
		// Nobody rejoins any more; let the streams still open end.
		drained := make(chan struct{})
		defer close(drained)
		go func() {
			for {
				select {
				case <-f.ended:
				case <-drained:
					return
				}
			}
		}()
	}
	f.wg.Wait()
	return errors.Join(f.errs...)
}

// logFollower runs one stream per container.
type logFollower struct {
	e    *Engine
	ctx  context.Context
	opts LogsOptions
	sink func(LogLine)
	// rejoining is set while rejoin reads the event stream: it takes the
	// ended streams, and hands over each die's exit code.
	rejoining bool
	ended     chan string // IDs whose stream ended, for rejoin

	wg   sync.WaitGroup
	mu   sync.Mutex
	errs []error
	dies map[string]chan int // container ID -> exit code of its last die
}

// died is where rejoin puts the exit code of a container's die event, for
// the stream of the run that ended.
func (f *logFollower) died(id string) chan int {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := f.dies[id]
	if ch == nil {
		ch = make(chan int, 1)
		f.dies[id] = ch
	}
	return ch
}

// dieWait is how long one wait for a die event after its stream ended
// lasts; they come within milliseconds of each other on an idle machine,
// seconds apart on a loaded one. exitWait bounds the whole wait: a stream
// can also end while its container runs on (the daemon's log reader gave
// up), and then no code is known.
const (
	dieWait  = 500 * time.Millisecond
	exitWait = 20 * time.Second
)

// exitCode is the code the run that a stream followed exited with, -1 if
// not known. The die event tells it for a run that was followed while it
// ran: by the time the stream ends, a restart policy may have started the
// container again, and an inspect would say nothing of that run. Without
// the event, an inspect that no longer says running tells it; until then
// (the daemon lists a container as running for a moment after its stream
// ends) it asks again.
func (f *logFollower) exitCode(id string, wasRunning bool) int {
	var died chan int
	if f.rejoining && wasRunning {
		died = f.died(id)
	}
	giveUp := time.After(exitWait)
	for {
		if died != nil {
			select {
			case code := <-died:
				return code
			case <-time.After(dieWait):
			case <-f.ctx.Done():
				return -1
			}
		}
		st, err := f.e.docker.ContainerInspect(f.ctx, id)
		if err != nil {
			return -1
		}
		if !st.Running || st.State == "restarting" {
			return st.ExitCode
		}
		if died == nil {
			select {
			case <-time.After(dieWait / 5):
			case <-f.ctx.Done():
				return -1
			}
		}
		select {
		case <-giveUp:
			return -1
		default:
		}
	}
}

func (f *logFollower) follow(id string, line LogLine, lo LogOptions, wasRunning bool) {
	f.wg.Go(func() {
		out := &lineWriter{emit: func(s string) { l := line; l.Text = s; f.sink(l) }}
		errOut := &lineWriter{emit: func(s string) { l := line; l.Text, l.Stderr = s, true; f.sink(l) }}
		err := f.e.docker.ContainerLogs(f.ctx, id, lo, out, errOut)
		out.flush()
		errOut.flush()
		if f.ctx.Err() != nil {
			return
		}
		if f.opts.Ended != nil {
			f.opts.Ended(line.Container, line.Service, f.exitCode(id, wasRunning))
		}
		if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, ErrNotFound) {
			f.mu.Lock()
			f.errs = append(f.errs, fmt.Errorf("logs of %s: %w", line.Container, err))
			f.mu.Unlock()
		}
		if f.rejoining {
			select {
			case f.ended <- id:
			case <-f.ctx.Done():
			}
		}
	})
}

// idleRecheck is how often KeepFollowing is asked again while no stream is
// open and it said yes: the daemon may list a container as running for a
// moment after its stream and its die event, and a restart policy may wait
// before it starts the container again.
const idleRecheck = 500 * time.Millisecond

// idle tells whether no stream is open, so KeepFollowing decides.
func (f *logFollower) idle(streaming map[string]bool) bool {
	return f.opts.KeepFollowing != nil && !slices.Contains(slices.Collect(maps.Values(streaming)), true)
}

// keepFollowing asks opts.KeepFollowing once no stream is open.
func (f *logFollower) keepFollowing(streaming map[string]bool) bool {
	if !f.idle(streaming) {
		return true
	}
	keep, err := f.opts.KeepFollowing(f.ctx)
	if err != nil && f.ctx.Err() == nil {
		f.mu.Lock()
		f.errs = append(f.errs, err)
		f.mu.Unlock()
		return false
	}
	return keep
}

// rejoin follows every container of the selected services that starts,
// until ctx ends. A container that starts again is followed from the
// moment it died, so what it printed before is not repeated; one whose
// restart is seen before its old stream ended waits for that end.
func (f *logFollower) rejoin(events <-chan Event, eventErrs <-chan error, streaming map[string]bool) {
	want := map[string]bool{}
	for _, s := range f.opts.Services {
		want[s] = true
	}
	if !f.keepFollowing(streaming) {
		return // nothing to follow, and nothing will start
	}
	died := map[string]time.Time{}
	pending := map[string]LogLine{} // started again while still streaming
	start := func(id string, line LogLine) {
		_, seen := streaming[id]
		streaming[id] = true
		lo := f.opts.LogOptions
		lo.Tail, lo.Since = "all", died[id]
		if seen && lo.Since.IsZero() {
			// Followed before, but its exit came before ours began: pick
			// up after its last exit, by the daemon's clock.
			if st, err := f.e.docker.ContainerInspect(f.ctx, id); err == nil && !st.FinishedAt.IsZero() {
				lo.Since = st.FinishedAt.Add(time.Nanosecond)
			}
		}
		select { // a code from an earlier run is not this run's
		case <-f.died(id):
		default:
		}
		f.follow(id, line, lo, true)
	}
	var recheck <-chan time.Time
	for {
		if recheck == nil && f.idle(streaming) {
			recheck = time.After(idleRecheck)
		}
		select {
		case <-f.ctx.Done():
			return
		case <-recheck:
			recheck = nil
			if !f.keepFollowing(streaming) {
				return
			}
		case err, ok := <-eventErrs:
			if ok && err != nil && f.ctx.Err() == nil {
				f.mu.Lock()
				f.errs = append(f.errs, fmt.Errorf("follow new containers: %w", err))
				f.mu.Unlock()
			}
			return
		case id := <-f.ended:
			streaming[id] = false
			if line, ok := pending[id]; ok {
				delete(pending, id)
				start(id, line)
				continue
			}
			if !f.keepFollowing(streaming) {
				return
			}
		case ev, ok := <-events:
			if !ok {
				return
			}
			a := ev.Attributes
			if ev.Type != "container" || a[LabelOneoff] == "True" || a[LabelHook] != "" || (len(want) > 0 && !want[a[LabelService]]) || (len(want) == 0 && a[LabelAttach] == "false") {
				continue
			}
			switch ev.Action {
			case "die":
				died[ev.ID] = ev.Time.Add(time.Nanosecond)
				if code, err := strconv.Atoi(a["exitCode"]); err == nil {
					ch := f.died(ev.ID)
					select { // the newest code wins over one nobody took
					case <-ch:
					default:
					}
					ch <- code
				}
			case "start":
				number, _ := strconv.Atoi(a[LabelNumber])
				line := LogLine{Container: a["name"], Service: a[LabelService], Number: number}
				if streaming[ev.ID] {
					pending[ev.ID] = line
				} else {
					start(ev.ID, line)
				}
			case "destroy":
				delete(died, ev.ID)
				delete(pending, ev.ID)
			}
		}
	}
}

// lineWriter splits a byte stream into lines.
type lineWriter struct {
	buf  bytes.Buffer
	emit func(string)
}

var _ io.Writer = (*lineWriter)(nil)

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	for {
		i := bytes.IndexByte(w.buf.Bytes(), '\n')
		if i < 0 {
			break
		}
		line := w.buf.Next(i + 1)
		w.emit(string(bytes.TrimRight(line, "\r\n")))
	}
	return len(p), nil
}

func (w *lineWriter) flush() {
	if w.buf.Len() > 0 {
		w.emit(w.buf.String())
		w.buf.Reset()
	}
}
