package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/stack-dev/stack/engine"
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
	var mu sync.Mutex
	res := ActionResult{Progress: []string{}}
	e := s.opts.Engine.WithReporter(func(st engine.Status) {
		line := st.Object + " " + st.Phase
		if st.Detail != "" {
			line += ": " + st.Detail
		}
		if st.Err != nil {
			line += ": " + st.Err.Error()
		}
		mu.Lock()
		res.Progress = append(res.Progress, line)
		mu.Unlock()
	})
	// Not the request's context: an action the browser stops waiting for
	// still runs to its end, as the CLI's would after the terminal closed.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), actionTimeout)
	defer cancel()
	s.actionMu.Lock()
	err := s.run(ctx, e, a)
	s.actionMu.Unlock()
	mu.Lock()
	defer mu.Unlock()
	if err != nil {
		res.Error = err.Error()
		w.WriteHeader(http.StatusUnprocessableEntity)
	} else {
		res.OK = true
	}
	writeJSON(w, res)
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
		return fmt.Errorf("unknown action %q (want %s)", a.Verb, strings.Join([]string{"restart", "stop", "start", "scale-up", "scale-down", "up", "down"}, ", "))
	}
}
