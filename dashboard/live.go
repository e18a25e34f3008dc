package dashboard

import (
	"encoding/json"
	"fmt"
	"net/http"
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

// handleEvents streams the project's State: once at once, then again after
// every engine event about the project (a batch of them at a time).
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	project, err := s.project(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := s.streamContext(r)
	defer cancel()
	changed := make(chan struct{}, 1)
	eventsDone := make(chan error, 1)
	// Subscribed before the first state is read, so no change falls between.
	go func() {
		eventsDone <- s.opts.Engine.Events(ctx, project, func(engine.Event) {
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
	push := func() error {
		return send("state", buildState(ctx, s.opts.Engine, project, model, s.opts.Now()))
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
