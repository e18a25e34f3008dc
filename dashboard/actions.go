package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/ui"
)

// Action is what the page asks the dashboard to do.
type Action struct {
	Project string `json:"project"`
	Verb    string `json:"verb"` // restart, stop, start, scale-up, scale-down, up, down
	Service string `json:"service,omitempty"`
}

// ActionResult is the answer: the progress lines the CLI would print and
// the error, if any.
type ActionResult struct {
	OK       bool     `json:"ok"`
	Error    string   `json:"error,omitempty"`
	Progress []string `json:"progress"`
}

// actionVerbs are the actions the page offers (see run).
var actionVerbs = []string{"restart", "stop", "start", "scale-up", "scale-down", "up", "down"}

// actionTimeout bounds one action.
const actionTimeout = 5 * time.Minute

func (s *Server) handleAction(w http.ResponseWriter, r *http.Request) {
	var a Action
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&a); err != nil {
		http.Error(w, "bad action: "+err.Error(), http.StatusBadRequest)
		return
	}
	if s.opts.Project != "" {
		if a.Project != "" && a.Project != s.opts.Project {
			http.Error(w, "this dashboard shows "+s.opts.Project+" only", http.StatusBadRequest)
			return
		}
		a.Project = s.opts.Project
	}
	if a.Project == "" {
		http.Error(w, "bad action: no project", http.StatusBadRequest)
		return
	}
	if !slices.Contains(actionVerbs, a.Verb) {
		// Refused before the pages hear of it as an action running.
		writeJSONStatus(w, http.StatusBadRequest, ActionResult{Progress: []string{},
			Error: fmt.Sprintf("unknown action %q (want %s)", a.Verb, strings.Join(actionVerbs, ", "))})
		return
	}
	s.subsMu.Lock()
	s.actionID++
	id := s.actionID
	s.subsMu.Unlock()
	ev := ActionEvent{ID: id, Verb: a.Verb, Service: a.Service, State: "running"}
	s.publish(a.Project, "action", ev)
	var mu sync.Mutex
	res := ActionResult{Progress: []string{}}
	// The lines the CLI prints with --progress plain, to the pages as
	// they come.
	lw := &lineWriter{line: func(line string) {
		mu.Lock()
		res.Progress = append(res.Progress, line)
		mu.Unlock()
		s.publish(a.Project, "progress", ProgressEvent{ID: id, Line: line})
	}}
	progress := ui.NewProgress(lw, ui.ModePlain)
	e := s.opts.Engine.WithReporter(func(st engine.Status) {
		progress.Report(st)
		if st.Err != nil {
			lw.line(st.Object + " " + st.Phase + ": " + st.Err.Error())
		}
	})
	// Not the request's context: an action the browser stops waiting for
	// still runs to its end, as the CLI's would after the terminal closed.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), actionTimeout)
	defer cancel()
	s.actionMu.Lock()
	err := s.run(ctx, e, a)
	s.actionMu.Unlock()
	progress.Close()
	lw.flush()
	mu.Lock()
	defer mu.Unlock()
	status := http.StatusOK
	if err != nil {
		res.Error = err.Error()
		ev.State, ev.Error = "failed", res.Error
		status = http.StatusUnprocessableEntity
	} else {
		res.OK = true
		ev.State = "done"
	}
	s.publish(a.Project, "action", ev)
	writeJSONStatus(w, status, res)
}

// ActionEvent tells the pages of a project that an action started
// (State "running") or ended ("done", "failed" with Error).
type ActionEvent struct {
	ID      int    `json:"id"`
	Verb    string `json:"verb"`
	Service string `json:"service,omitempty"`
	State   string `json:"state"`
	Error   string `json:"error,omitempty"`
}

// ProgressEvent is one progress line of action ID, as the CLI prints it.
type ProgressEvent struct {
	ID   int    `json:"id"`
	Line string `json:"line"`
}

// lineWriter calls line for each line written to it.
type lineWriter struct {
	mu   sync.Mutex
	buf  []byte
	line func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(w.buf[:i])
		w.buf = w.buf[i+1:]
		w.line(line)
	}
}

// flush hands on a last line without its newline.
func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.line(string(w.buf))
		w.buf = nil
	}
}

// run carries a out with e, as the CLI's verb of the same name does.
func (s *Server) run(ctx context.Context, e *engine.Engine, a Action) error {
	model := s.model(a.Project)
	needService := func() error {
		if a.Service == "" {
			return fmt.Errorf("%s: name a service", a.Verb)
		}
		if model != nil && model.Services[a.Service] != nil {
			return nil
		}
		names, err := e.ServiceNames(ctx, a.Project)
		if err != nil {
			return err
		}
		if !names[a.Service] {
			return fmt.Errorf("no such service: %s", a.Service)
		}
		return nil
	}
	switch a.Verb {
	case "restart", "stop", "start":
		if err := needService(); err != nil {
			return err
		}
		services := []string{a.Service}
		switch a.Verb {
		case "restart":
			return e.Restart(ctx, a.Project, engine.StopOptions{Services: services})
		case "stop":
			return e.Stop(ctx, a.Project, engine.StopOptions{Services: services, Project: model})
		default:
			return e.Start(ctx, a.Project, services)
		}
	case "scale-up", "scale-down":
		if model == nil || model.Services[a.Service] == nil {
			return fmt.Errorf("%s: scaling needs the service in the stack file", a.Verb)
		}
		rows, err := e.Ps(ctx, a.Project, engine.PsOptions{Services: []string{a.Service}})
		if err != nil {
			return err
		}
		n := len(rows)
		if a.Verb == "scale-up" {
			n++
		} else if n > 0 {
			n--
		}
		_, err = e.Up(ctx, model, engine.UpOptions{Plan: engine.PlanOptions{
			Services: []string{a.Service}, Scale: map[string]int{a.Service: n}, NoRecreate: true,
		}})
		return err
	case "up":
		if model == nil {
			return fmt.Errorf("up: needs the stack file")
		}
		_, err := e.Up(ctx, model, engine.UpOptions{})
		return err
	case "down":
		opts := engine.DownOptions{}
		if model != nil {
			opts.Known = map[string]bool{}
			for name := range model.Services {
				opts.Known[name] = true
			}
		}
		return e.Down(ctx, a.Project, opts)
	default:
		return fmt.Errorf("unknown action %q (want %s)", a.Verb, strings.Join(actionVerbs, ", "))
	}
}
