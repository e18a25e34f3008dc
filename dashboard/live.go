package dashboard

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stack-dev/stack/engine"
)

// debounce gathers the events of one change (a restart is a kill, a die,
// a stop and a start) into one new state.
const debounce = 150 * time.Millisecond

// sse starts an event stream on w, or says why it cannot.
func sse(w http.ResponseWriter) (send func(event string, v any) error, ok bool) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return nil, false
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	return func(event string, v any) error {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data); err != nil {
			return err
		}
		flusher.Flush()
		return nil
	}, true
}

// liveEvent is an event for the pages of one project besides its state:
// an action's start, progress line or end.
type liveEvent struct {
	name string
	data any
}

// subscribe registers a stream of project's live events; the returned
// func ends it.
func (s *Server) subscribe(project string) (chan liveEvent, func()) {
	ch := make(chan liveEvent, 256)
	s.subsMu.Lock()
	s.subs[ch] = project
	s.subsMu.Unlock()
	return ch, func() {
		s.subsMu.Lock()
		delete(s.subs, ch)
		s.subsMu.Unlock()
	}
}

// publish sends an event to every stream of project; a stream too slow to
// take it misses it rather than hold the action up.
func (s *Server) publish(project, name string, data any) {
	s.subsMu.Lock()
	defer s.subsMu.Unlock()
	for ch, p := range s.subs {
		if p != project {
			continue
		}
		select {
		case ch <- liveEvent{name, data}:
		default:
		}
	}
}

// handleEvents streams the project's State: once at once, then again after
// every engine event about the project (a batch of them at a time), and
// the progress of the actions run on it ("action" and "progress" events).
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	project, err := s.project(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := s.streamContext(r)
	defer cancel()
	live, unsubscribe := s.subscribe(project)
	defer unsubscribe()
	changed := make(chan struct{}, 1)
	eventsDone := make(chan error, 1)
	// Subscribed before the first state is read, so no change falls between.
	go func() {
		eventsDone <- s.opts.Engine.Events(ctx, project, func(ev engine.Event) {
			// An exec (a readiness probe, the daemon's healthcheck)
			// changes nothing the page shows; health_status does.
			if strings.HasPrefix(ev.Action, "exec_") {
				return
			}
			select {
			case changed <- struct{}{}:
			default:
			}
		})
	}()
	send, ok := sse(w)
	if !ok {
		return
	}
	model := s.model(project)
	b := newStateBuilder(s.opts.Engine, project, model)
	b.checkImages(ctx)
	contextChanged := watchBuildContexts(ctx, model, s.opts.Log)
	reprobe := time.NewTimer(time.Hour)
	reprobe.Stop()
	defer reprobe.Stop()
	push := func() error {
		st, due := b.build(ctx, s.opts.Now())
		reprobe.Stop()
		if due > 0 {
			reprobe.Reset(due)
		}
		return send("state", st)
	}
	if err := push(); err != nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case err := <-eventsDone:
			if err != nil {
				send("failure", err.Error())
			}
			// The page reconnects and subscribes again.
			return
		case ev := <-live:
			if err := send(ev.name, ev.data); err != nil {
				return
			}
			if a, ok := ev.data.(ActionEvent); ok && a.State != "running" {
				// up may have built images, or a file changed.
				b.checkImages(ctx)
				if err := push(); err != nil {
					return
				}
			}
		case <-contextChanged:
			b.checkImages(ctx)
			if err := push(); err != nil {
				return
			}
		case <-b.probed:
			if err := push(); err != nil {
				return
			}
		case <-reprobe.C:
			if err := push(); err != nil {
				return
			}
		case <-changed:
			select {
			case <-time.After(debounce):
			case <-ctx.Done():
				return
			}
			select {
			case <-changed:
			default:
			}
			if err := push(); err != nil {
				return
			}
		}
	}
}

// LogEvent is one log line as the page gets it.
type LogEvent struct {
	Container string `json:"container"`
	Service   string `json:"service"`
	Number    int    `json:"number"`
	Stderr    bool   `json:"stderr,omitempty"`
	Text      string `json:"text"`
}

// handleLogs streams the logs of the project (?service= for one service),
// the last lines first, following new and restarted containers.
func (s *Server) handleLogs(w http.ResponseWriter, r *http.Request) {
	project, err := s.project(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var services []string
	if svc := r.URL.Query().Get("service"); svc != "" {
		services = []string{svc}
	}
	tail := r.URL.Query().Get("tail")
	if tail == "" {
		tail = "200"
	}
	send, ok := sse(w)
	if !ok {
		return
	}
	lines := make(chan LogEvent, 256)
	ctx, cancel := s.streamContext(r)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- s.opts.Engine.Logs(ctx, project, engine.LogsOptions{
			Services:   services,
			LogOptions: engine.LogOptions{Follow: true, Tail: tail},
			Rejoin:     true,
		}, func(l engine.LogLine) {
			select {
			case lines <- LogEvent{Container: l.Container, Service: l.Service, Number: l.Number, Stderr: l.Stderr, Text: l.Text}:
			case <-ctx.Done():
			}
		})
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case err := <-done:
			if err != nil && ctx.Err() == nil {
				send("failure", err.Error())
			}
			return
		case l := <-lines:
			if err := send("line", l); err != nil {
				return
			}
		}
	}
}

// tailLines is how many lines /api/tail gives by default.
const tailLines = 40

// handleTail answers the last lines of one container's logs (?service=
// and ?container=, its name; ?tail=), as JSON: the page opens them by
// itself for a container that failed.
func (s *Server) handleTail(w http.ResponseWriter, r *http.Request) {
	project, err := s.project(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	q := r.URL.Query()
	service, container := q.Get("service"), q.Get("container")
	if service == "" || container == "" {
		http.Error(w, "name the service and the container", http.StatusBadRequest)
		return
	}
	tail := strconv.Itoa(tailLines)
	if t := q.Get("tail"); t != "" {
		if n, err := strconv.Atoi(t); err != nil || n < 1 {
			http.Error(w, "bad tail: want a number of lines", http.StatusBadRequest)
			return
		}
		tail = t
	}
	lines := []LogEvent{}
	var mu sync.Mutex
	err = s.opts.Engine.Logs(r.Context(), project, engine.LogsOptions{
		Services:   []string{service},
		LogOptions: engine.LogOptions{Tail: tail},
	}, func(l engine.LogLine) {
		if l.Container != container {
			return
		}
		mu.Lock()
		lines = append(lines, LogEvent{Container: l.Container, Service: l.Service, Number: l.Number, Stderr: l.Stderr, Text: l.Text})
		mu.Unlock()
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, lines)
}
