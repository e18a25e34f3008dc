// Package dashboard is the web page of `stack dashboard`: a local HTTP
// server that shows the stacks on the engine live (services, replicas, the
// dependency graph, logs, the plan) and runs the engine's verbs on them.
// Its assets are embedded; updates reach the page as server-sent events fed
// by the engine's event stream. See [Server] for the security model.
package dashboard

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
)

//go:embed assets
var assets embed.FS

// Header and cookie that carry the token.
const (
	TokenHeader = "X-Stack-Token"
	cookieName  = "stack_dashboard"
)

// Options configure a Server.
type Options struct {
	// Engine runs every read and action; Docker is reached through it only.
	Engine *engine.Engine
	// Model is the loaded stack file (nil: none). With it the dashboard
	// shows its project alone, draws the graph with its edges, shows the
	// plan and can run up and scale.
	Model *spec.Project
	// Project limits the dashboard to this project (e.g. -p without a stack
	// file); "" with no Model: every project on the engine.
	Project string
	// Token is the secret every request must carry; "" makes a random one.
	Token string
	Log   *zap.Logger
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Server serves the dashboard. Every request must carry the token (in the
// URL once, then in an HttpOnly SameSite=Strict cookie) and a Host that
// names the loopback address it listens on (or the one given), against DNS
// rebinding; actions (POST) must also carry the token in the X-Stack-Token
// header and, when the browser sends an Origin, the dashboard's own. No
// CORS header is ever sent, so another page cannot read an answer.
type Server struct {
	opts  Options
	token string
	mux   *http.ServeMux
	// hosts are the Host values accepted besides loopback ones.
	mu    sync.Mutex
	hosts []string
	// actionMu serialises actions.
	actionMu sync.Mutex
	// subs are the open event streams, by project: actions' progress
	// reaches every page of the project.
	subsMu sync.Mutex
	subs   map[chan liveEvent]string
	// actionID numbers the actions.
	actionID int
	// closed ends the streams (events, logs) when the server closes.
	closed    chan struct{}
	closeOnce sync.Once
}

// New returns a Server for opts.
func New(opts Options) (*Server, error) {
	if opts.Engine == nil {
		return nil, errors.New("dashboard: no engine")
	}
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Model != nil {
		opts.Project = opts.Model.Name
	}
	token := opts.Token
	if token == "" {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("dashboard token: %w", err)
		}
		token = hex.EncodeToString(b)
	}
	s := &Server{opts: opts, token: token, mux: http.NewServeMux(), closed: make(chan struct{}),
		subs: map[chan liveEvent]string{}}
	static, _ := fs.Sub(assets, "assets")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /{$}", s.handleIndex)
	s.mux.HandleFunc("GET /api/stacks", s.handleStacks)
	s.mux.HandleFunc("GET /api/state", s.handleState)
	s.mux.HandleFunc("GET /api/events", s.handleEvents)
	s.mux.HandleFunc("GET /api/logs", s.handleLogs)
	s.mux.HandleFunc("GET /api/tail", s.handleTail)
	s.mux.HandleFunc("GET /api/plan", s.handlePlan)
	s.mux.HandleFunc("POST /api/action", s.handleAction)
	return s, nil
}

// Close ends the open streams, so that an http.Server's Shutdown (or an
// httptest.Server's Close) does not wait for them forever. Actions run to
// their end.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
}

// streamContext is the context of a stream: it ends with the request or
// when the server closes.
func (s *Server) streamContext(r *http.Request) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(r.Context())
	go func() {
		select {
		case <-s.closed:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// Token is the secret the dashboard's URL carries.
func (s *Server) Token() string { return s.token }

// AllowHost accepts host (host or host:port) in the Host header too: the
// address given with --addr when it is not a loopback one.
func (s *Server) AllowHost(host string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hosts = append(s.hosts, strings.ToLower(host))
}

// URL is the address to open for a server listening on addr.
func (s *Server) URL(addr string) string {
	return "http://" + addr + "/?token=" + url.QueryEscape(s.token)
}

// ServeHTTP checks the Host, the token and, for actions, the header and
// the Origin, then serves the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.hostAllowed(r.Host) {
		http.Error(w, "forbidden host", http.StatusForbidden)
		return
	}
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
	if q := r.URL.Query().Get("token"); q != "" && r.Method == http.MethodGet {
		if !s.tokenOK(q) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		// The token leaves the address bar (and the history).
		clean := *r.URL
		q := clean.Query()
		q.Del("token")
		clean.RawQuery = q.Encode()
		http.Redirect(w, r, clean.RequestURI(), http.StatusSeeOther)
		return
	}
	c, err := r.Cookie(cookieName)
	if err != nil || !s.tokenOK(c.Value) {
		http.Error(w, "unauthorized: open the URL stack dashboard printed", http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if !s.tokenOK(r.Header.Get(TokenHeader)) {
			http.Error(w, "unauthorized: actions need the "+TokenHeader+" header", http.StatusUnauthorized)
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" && origin != "http://"+r.Host {
			http.Error(w, "forbidden origin", http.StatusForbidden)
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) tokenOK(got string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) == 1
}

// hostAllowed accepts loopback names and addresses, and the hosts given
// with AllowHost: a rebound DNS name (evil.example resolving to 127.0.0.1)
// is refused.
func (s *Server) hostAllowed(hostport string) bool {
	host := strings.ToLower(hostport)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.hosts, strings.ToLower(hostport)) || slices.Contains(s.hosts, host)
}

var indexTemplate = template.Must(template.ParseFS(assets, "assets/index.html"))

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	var b bytes.Buffer
	err := indexTemplate.Execute(&b, map[string]any{"Token": s.token, "Project": s.opts.Project})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}

// project is the project a request is about: the dashboard's own, or the
// ?project= of a dashboard of every stack.
func (s *Server) project(r *http.Request) (string, error) {
	if s.opts.Project != "" {
		return s.opts.Project, nil
	}
	p := r.URL.Query().Get("project")
	if p == "" {
		return "", errors.New("no project: name one with ?project=")
	}
	return p, nil
}

// model is the stack file for project, if the dashboard has one.
func (s *Server) model(project string) *spec.Project {
	if s.opts.Model != nil && s.opts.Model.Name == project {
		return s.opts.Model
	}
	return nil
}

func writeJSON(w http.ResponseWriter, v any) { writeJSONStatus(w, http.StatusOK, v) }

// writeJSONStatus answers v as JSON with status (headers first: they are
// lost once the status is written).
func writeJSONStatus(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) handleStacks(w http.ResponseWriter, r *http.Request) {
	if s.opts.Project != "" {
		writeJSON(w, []engine.ProjectSummary{{Name: s.opts.Project}})
		return
	}
	projects, err := s.opts.Engine.Projects(r.Context(), true)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for i := range projects {
		projects[i].ConfigFiles = "" // the page has no use for paths
	}
	writeJSON(w, projects)
}

func (s *Server) handleState(w http.ResponseWriter, r *http.Request) {
	project, err := s.project(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b := newStateBuilder(s.opts.Engine, project, s.model(project))
	b.checkImages(r.Context())
	b.build(r.Context(), s.opts.Now())
	// One answer: with the probes the first build started.
	b.running.Wait()
	st, _ := b.build(r.Context(), s.opts.Now())
	writeJSON(w, st)
}

func (s *Server) handlePlan(w http.ResponseWriter, r *http.Request) {
	project, err := s.project(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	model := s.model(project)
	if model == nil {
		http.Error(w, "no stack file: the plan needs one (run stack dashboard beside it or with -f)", http.StatusNotFound)
		return
	}
	plan, err := s.opts.Engine.Plan(r.Context(), model, engine.PlanOptions{})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var b bytes.Buffer
	if err := plan.Write(&b); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(b.Bytes())
}
