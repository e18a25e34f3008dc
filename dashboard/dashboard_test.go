package dashboard

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
	"github.com/stack-dev/stack/spec"
)

const fakeImage = "example/app:1"

// fakeStack is a running two-service stack on a fake daemon, web depending
// on db being healthy, served by a dashboard behind an httptest server.
type fakeStack struct {
	t      *testing.T
	fake   *dockerfake.Fake
	engine *engine.Engine
	model  *spec.Project
	srv    *Server
	http   *httptest.Server
	client *http.Client // carries the cookie
}

func newModel(name string) *spec.Project {
	p := &spec.Project{
		Name:     name,
		Services: map[string]*spec.Service{},
		Networks: map[string]*spec.Network{"default": {Key: "default", Name: name + "_default"}},
		Volumes:  map[string]*spec.Volume{},
	}
	for _, svc := range []string{"db", "web"} {
		p.Services[svc] = &spec.Service{Name: svc, Image: fakeImage, Replicas: 1, DependsOn: map[string]spec.Dependency{}}
	}
	p.Services["web"].DependsOn["db"] = spec.Dependency{Condition: spec.ConditionStarted, Required: true}
	return p
}

func newFakeStack(t *testing.T) *fakeStack {
	t.Helper()
	f := dockerfake.New()
	f.AddImage(engine.Image{ID: "sha256:" + strings.Repeat("ab", 32), RepoTags: []string{fakeImage}})
	e := engine.New(f, nil, nil)
	model := newModel("demo")
	if _, err := e.Up(t.Context(), model, engine.UpOptions{}); err != nil {
		t.Fatalf("up: %v", err)
	}
	srv, err := New(Options{Engine: e, Model: model, Token: "secret-token"})
	if err != nil {
		t.Fatal(err)
	}
	hs := newHTTPTest(t, srv)
	fs := &fakeStack{t: t, fake: f, engine: e, model: model, srv: srv, http: hs}
	fs.client = fs.login()
	return fs
}

// newHTTPTest serves srv until the test ends.
func newHTTPTest(t *testing.T, srv *Server) *httptest.Server {
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close()
		hs.Close()
	})
	return hs
}

// login opens the URL with the token, as a browser would, and returns the
// client holding the cookie it got.
func (fs *fakeStack) login() *http.Client {
	fs.t.Helper()
	jar := &cookieJar{}
	c := &http.Client{Jar: jar}
	resp, err := c.Get(fs.srv.URL(fs.http.Listener.Addr().String()))
	if err != nil {
		fs.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`content="secret-token"`)) {
		fs.t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	return c
}

// cookieJar is the smallest jar: one cookie per name, any URL.
type cookieJar struct{ cookies []*http.Cookie }

func (j *cookieJar) SetCookies(_ *url.URL, cs []*http.Cookie) { j.cookies = append(j.cookies, cs...) }
func (j *cookieJar) Cookies(*url.URL) []*http.Cookie          { return j.cookies }

func (fs *fakeStack) containerID(name string) string {
	fs.t.Helper()
	rows, err := fs.engine.Ps(fs.t.Context(), "demo", engine.PsOptions{All: true})
	if err != nil {
		fs.t.Fatal(err)
	}
	for _, r := range rows {
		if r.Name == name {
			return r.ID
		}
	}
	fs.t.Fatalf("no container %s in %+v", name, rows)
	return ""
}

func (fs *fakeStack) action(verb, service string) (int, ActionResult) {
	fs.t.Helper()
	body, _ := json.Marshal(Action{Verb: verb, Service: service})
	req, _ := http.NewRequest("POST", fs.http.URL+"/api/action", bytes.NewReader(body))
	req.Header.Set(TokenHeader, fs.srv.Token())
	req.Header.Set("Origin", fs.http.URL)
	resp, err := fs.client.Do(req)
	if err != nil {
		fs.t.Fatal(err)
	}
	defer resp.Body.Close()
	var res ActionResult
	json.NewDecoder(resp.Body).Decode(&res)
	return resp.StatusCode, res
}

// sseReader reads the events of one stream.
type sseReader struct {
	t    *testing.T
	resp *http.Response
	sc   *bufio.Scanner
}

func (fs *fakeStack) stream(path string) *sseReader {
	fs.t.Helper()
	ctx, cancel := context.WithCancel(fs.t.Context())
	fs.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", fs.http.URL+path, nil)
	resp, err := fs.client.Do(req)
	if err != nil {
		fs.t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		fs.t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	fs.t.Cleanup(func() { resp.Body.Close() })
	return &sseReader{t: fs.t, resp: resp, sc: bufio.NewScanner(resp.Body)}
}

// next returns the next event's name and data.
func (r *sseReader) next() (string, string) {
	r.t.Helper()
	var event, data string
	for r.sc.Scan() {
		line := r.sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		case line == "" && event != "":
			return event, data
		}
	}
	r.t.Fatalf("stream ended: %v", r.sc.Err())
	return "", ""
}

// until reads states until ok says yes, for at most 30 seconds.
func (r *sseReader) until(ok func(State) bool) State {
	r.t.Helper()
	deadline := time.AfterFunc(30*time.Second, func() { r.resp.Body.Close() })
	defer deadline.Stop()
	var last State
	for {
		event, data := r.next()
		if event != "state" {
			continue
		}
		last = State{}
		if err := json.Unmarshal([]byte(data), &last); err != nil {
			r.t.Fatal(err)
		}
		if ok(last) {
			return last
		}
	}
}

func rowState(st State, container string) string {
	for _, r := range st.Rows {
		if r.Name == container {
			return r.State
		}
	}
	return ""
}

func TestSecurity(t *testing.T) {
	fs := newFakeStack(t)
	base := fs.http.URL
	tests := []struct {
		name     string
		method   string
		path     string
		host     string
		origin   string
		header   bool // the X-Stack-Token header
		cookie   bool
		want     int
		stopsWeb bool
	}{
		{name: "no token", method: "GET", path: "/", want: 401},
		{name: "no token api", method: "GET", path: "/api/state", want: 401},
		{name: "wrong token in the URL", method: "GET", path: "/?token=nope", want: 401},
		{name: "token in the URL sets the cookie", method: "GET", path: "/?token=secret-token", want: 303},
		{name: "cookie", method: "GET", path: "/api/state", cookie: true, want: 200},
		{name: "rebound host name", method: "GET", path: "/api/state", cookie: true, host: "evil.example:80", want: 403},
		{name: "action without the header", method: "POST", path: "/api/action", cookie: true, want: 401},
		{name: "action with header but no cookie", method: "POST", path: "/api/action", header: true, want: 401},
		{name: "action from a foreign origin", method: "POST", path: "/api/action", cookie: true, header: true, origin: "http://evil.example", want: 403},
		{name: "action from the dashboard", method: "POST", path: "/api/action", cookie: true, header: true, origin: base, want: 200, stopsWeb: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs.fake.ResetCalls()
			var body io.Reader
			if tt.method == "POST" {
				body = strings.NewReader(`{"verb":"stop","service":"web"}`)
			}
			req, _ := http.NewRequest(tt.method, base+tt.path, body)
			if tt.host != "" {
				req.Host = tt.host
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.header {
				req.Header.Set(TokenHeader, "secret-token")
			}
			if tt.cookie {
				req.AddCookie(&http.Cookie{Name: cookieName, Value: "secret-token"})
			}
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
			if resp.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("a CORS header: %v", resp.Header)
			}
			if tt.want == 303 {
				ck := resp.Cookies()
				if len(ck) != 1 || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteStrictMode || ck[0].Value != "secret-token" {
					t.Errorf("cookie %+v, want HttpOnly SameSite=Strict with the token", ck)
				}
				if loc := resp.Header.Get("Location"); strings.Contains(loc, "token") {
					t.Errorf("redirect to %q keeps the token in the URL", loc)
				}
			}
			if stops := fs.fake.Calls("ContainerStop"); (stops > 0) != tt.stopsWeb {
				t.Errorf("ContainerStop called %d times; want a stop: %v", stops, tt.stopsWeb)
			}
		})
	}
}

func TestHostCheck(t *testing.T) {
	s, err := New(Options{Engine: engine.New(dockerfake.New(), nil, nil), Project: "p", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	s.AllowHost("192.0.2.7")
	for host, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:1": true, "[::1]:9": true, "127.1.2.3": true, "LOCALHOST:5": true,
		"192.0.2.7:4000": true, "evil.example": false, "evil.example:8080": false, "localhost.evil.example:1": false, "10.0.0.1:80": false,
	} {
		if got := s.hostAllowed(host); got != want {
			t.Errorf("hostAllowed(%q) = %v, want %v", host, got, want)
		}
	}
}

// The page's state follows the engine's events: a container that stops
// shows as exited, in the table and in the graph, and running again once
// it starts.
func TestStateFollowsEvents(t *testing.T) {
	fs := newFakeStack(t)
	events := fs.stream("/api/events")
	st := events.until(func(State) bool { return true })
	if rowState(st, "demo-db-1") != "running" || rowState(st, "demo-web-1") != "running" {
		t.Fatalf("first state: %+v", st.Rows)
	}
	if len(st.Services) != 2 || !st.HasModel {
		t.Fatalf("services: %+v", st.Services)
	}
	db := fs.containerID("demo-db-1")
	if err := fs.fake.ContainerStop(t.Context(), db, nil); err != nil {
		t.Fatal(err)
	}
	st = events.until(func(st State) bool { return rowState(st, "demo-db-1") == "exited" })
	if !strings.Contains(st.Graph, `data-service="db" data-state="exited"`) {
		t.Errorf("graph does not show db exited:\n%s", st.Graph)
	}
	if err := fs.fake.ContainerStart(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	events.until(func(st State) bool { return rowState(st, "demo-db-1") == "running" })
	if err := fs.fake.SetHealth(db, "unhealthy"); err != nil {
		t.Fatal(err)
	}
	st = events.until(func(st State) bool {
		for _, s := range st.Services {
			if s.Name == "db" && s.State == "unhealthy" {
				return true
			}
		}
		return false
	})
	if !strings.Contains(st.Graph, `data-service="db" data-state="unhealthy"`) {
		t.Errorf("graph does not show db unhealthy:\n%s", st.Graph)
	}
}

func TestLogsStream(t *testing.T) {
	fs := newFakeStack(t)
	logs := fs.stream("/api/logs?service=web")
	web := fs.containerID("demo-web-1")
	if err := fs.fake.WriteLog(web, false, "hello from web\n"); err != nil {
		t.Fatal(err)
	}
	if err := fs.fake.WriteLog(fs.containerID("demo-db-1"), false, "db is not asked for\n"); err != nil {
		t.Fatal(err)
	}
	if err := fs.fake.WriteLog(web, true, "an error line\n"); err != nil {
		t.Fatal(err)
	}
	var got []LogEvent
	timer := time.AfterFunc(10*time.Second, func() { logs.resp.Body.Close() })
	defer timer.Stop()
	for len(got) < 2 {
		event, data := logs.next()
		if event != "line" {
			continue
		}
		var l LogEvent
		json.Unmarshal([]byte(data), &l)
		got = append(got, l)
	}
	want := []LogEvent{
		{Container: "demo-web-1", Service: "web", Number: 1, Text: "hello from web"},
		{Container: "demo-web-1", Service: "web", Number: 1, Stderr: true, Text: "an error line"},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestActions(t *testing.T) {
	fs := newFakeStack(t)
	count := func(service string) int {
		rows, err := fs.engine.Ps(t.Context(), "demo", engine.PsOptions{Services: []string{service}})
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	steps := []struct {
		verb, service string
		wantStatus    int
		wantWeb       int // running web containers after
		wantErr       string
	}{
		{verb: "scale-up", service: "web", wantStatus: 200, wantWeb: 2},
		{verb: "scale-up", service: "web", wantStatus: 200, wantWeb: 3},
		{verb: "scale-down", service: "web", wantStatus: 200, wantWeb: 2},
		{verb: "stop", service: "web", wantStatus: 200, wantWeb: 0},
		{verb: "start", service: "web", wantStatus: 200, wantWeb: 2},
		{verb: "restart", service: "web", wantStatus: 200, wantWeb: 2},
		{verb: "restart", service: "nope", wantStatus: 422, wantWeb: 2, wantErr: "no such service: nope"},
		{verb: "explode", service: "web", wantStatus: 400, wantWeb: 2, wantErr: `unknown action "explode"`},
		{verb: "down", wantStatus: 200, wantWeb: 0},
		{verb: "up", wantStatus: 200, wantWeb: 1},
	}
	for _, s := range steps {
		status, res := fs.action(s.verb, s.service)
		if status != s.wantStatus || !strings.Contains(res.Error, s.wantErr) {
			t.Fatalf("%s %s: %d %+v, want %d %q", s.verb, s.service, status, res, s.wantStatus, s.wantErr)
		}
		if got := count("web"); got != s.wantWeb {
			t.Errorf("after %s %s: %d web containers, want %d", s.verb, s.service, got, s.wantWeb)
		}
		if status == 200 && s.verb != "start" && len(res.Progress) == 0 {
			t.Errorf("%s: no progress lines", s.verb)
		}
	}
}

func TestPlanShowsWhatUpWouldChange(t *testing.T) {
	fs := newFakeStack(t)
	fs.model.Services["cache"] = &spec.Service{Name: "cache", Image: fakeImage, Replicas: 1, DependsOn: map[string]spec.Dependency{}}
	resp, err := fs.client.Get(fs.http.URL + "/api/plan")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var want bytes.Buffer
	plan, err := fs.engine.Plan(t.Context(), fs.model, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	plan.Write(&want)
	if resp.StatusCode != 200 || string(body) != want.String() || !strings.Contains(string(body), "cache") {
		t.Errorf("plan: %d\n%s\nwant:\n%s", resp.StatusCode, body, want.String())
	}
}

func TestGraphSVG(t *testing.T) {
	p := newModel("g")
	p.Services["web"].DependsOn["db"] = spec.Dependency{Condition: spec.ConditionHealthy, Required: true}
	p.Services["<job>"] = &spec.Service{Name: "<job>", DependsOn: map[string]spec.Dependency{"web": {Condition: spec.ConditionCompleted}}}
	svg := graphSVG(p, nil, map[string]string{"db": "healthy", "web": "exited"})
	for _, want := range []string{
		`data-from="web" data-to="db"`, `>healthy</text>`,
		`data-from="&lt;job&gt;" data-to="web"`, `>completed_successfully</text>`,
		`data-service="db" data-state="healthy"`, `data-service="web" data-state="exited"`,
		`data-service="&lt;job&gt;" data-state="absent"`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %s:\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "<job>") {
		t.Errorf("unescaped name in svg")
	}
}

// No secret value reaches the page: the state carries no environment.
func TestStateHasNoSecrets(t *testing.T) {
	f := dockerfake.New()
	f.AddImage(engine.Image{ID: "sha256:" + strings.Repeat("cd", 32), RepoTags: []string{fakeImage}})
	e := engine.New(f, nil, nil)
	p := newModel("sec")
	p.Services["db"].Environment = map[string]string{"PASSWORD": "hunter2-secret"}
	if _, err := e.Up(t.Context(), p, engine.UpOptions{}); err != nil {
		t.Fatal(err)
	}
	st, _ := newStateBuilder(e, "sec", p).build(t.Context(), time.Now())
	b, _ := json.Marshal(st)
	if bytes.Contains(b, []byte("hunter2")) || len(st.Rows) != 2 {
		t.Errorf("state: %s", b)
	}
}

// An edit in a service's build context turns its image stale on an open
// page, without an action or a reload.
func TestImageTurnsStaleWhenItsContextChanges(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\nCOPY app /app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app"), []byte("v1"), 0o755); err != nil {
		t.Fatal(err)
	}
	f := dockerfake.New()
	e := engine.New(f, nil, nil)
	model := newModel("built")
	delete(model.Services, "web")
	model.Services["db"].Image = "built-db:dev"
	model.Services["db"].Build = &spec.Build{Context: dir, Dockerfile: "Dockerfile"}
	if _, err := e.Up(t.Context(), model, engine.UpOptions{}); err != nil {
		t.Fatalf("up: %v", err)
	}
	srv, err := New(Options{Engine: e, Model: model, Token: "secret-token"})
	if err != nil {
		t.Fatal(err)
	}
	fs := &fakeStack{t: t, fake: f, engine: e, model: model, srv: srv, http: newHTTPTest(t, srv)}
	fs.client = fs.login()
	imageState := func(st State) string {
		for _, s := range st.Services {
			if s.Name == "db" {
				return s.ImageState
			}
		}
		return ""
	}
	events := fs.stream("/api/events")
	if st := events.until(func(State) bool { return true }); imageState(st) != engine.ImageUpToDate {
		t.Fatalf("image of db: %q, want %q", imageState(st), engine.ImageUpToDate)
	}
	if err := os.WriteFile(filepath.Join(dir, "app"), []byte("v2"), 0o755); err != nil {
		t.Fatal(err)
	}
	events.until(func(st State) bool { return imageState(st) == engine.ImageStale })
}
