package dashboard

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
	"github.com/stack-dev/stack/spec"
)

// An action's progress reaches the page over the events stream while it
// runs: its start, the lines the CLI prints with --progress plain, its end;
// the answer to the POST carries the same lines.
func TestActionProgressStreamed(t *testing.T) {
	fs := newFakeStack(t)
	events := fs.stream("/api/events")
	events.until(func(State) bool { return true })
	answer := make(chan ActionResult, 1)
	go func() {
		_, res := fs.action("restart", "web")
		answer <- res
	}()
	var started bool
	var lines []string
	deadline := time.AfterFunc(30*time.Second, func() { events.resp.Body.Close() })
	defer deadline.Stop()
	for {
		event, data := events.next()
		if event == "action" {
			var a ActionEvent
			json.Unmarshal([]byte(data), &a)
			if a.Verb != "restart" || a.Service != "web" {
				t.Fatalf("action event %+v", a)
			}
			if a.State == "running" {
				started = true
				continue
			}
			if a.State != "done" || !started {
				t.Fatalf("action ended %+v (started: %v)", a, started)
			}
			break
		}
		if event == "progress" {
			var p ProgressEvent
			json.Unmarshal([]byte(data), &p)
			if !started {
				t.Fatalf("progress %q before the action's start", p.Line)
			}
			lines = append(lines, p.Line)
		}
	}
	if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "demo-web-1 ") }) {
		t.Errorf("streamed progress %q has no line about demo-web-1", lines)
	}
	res := <-answer
	if !res.OK || !slices.Equal(res.Progress, lines) {
		t.Errorf("answer %+v, want ok with the streamed lines %q", res, lines)
	}
}

// /api/tail gives the last lines of one container, not of its siblings.
func TestTail(t *testing.T) {
	fs := newFakeStack(t)
	web := fs.containerID("demo-web-1")
	fs.fake.WriteLog(web, false, "starting\n")
	fs.fake.WriteLog(web, true, "panic: no config\n")
	fs.fake.WriteLog(fs.containerID("demo-db-1"), false, "db line\n")
	if err := fs.fake.ExitContainer(web, 2); err != nil {
		t.Fatal(err)
	}
	resp, err := fs.client.Get(fs.http.URL + "/api/tail?service=web&container=demo-web-1&tail=1")
	if err != nil {
		t.Fatal(err)
	}
	var lines []LogEvent
	json.NewDecoder(resp.Body).Decode(&lines)
	resp.Body.Close()
	if len(lines) != 1 || lines[0].Text != "panic: no config" || !lines[0].Stderr || lines[0].Container != "demo-web-1" {
		t.Errorf("tail 1: %+v", lines)
	}
	for _, q := range []string{"service=web", "service=web&container=demo-web-1&tail=x"} {
		resp, err := fs.client.Get(fs.http.URL + "/api/tail?" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("tail?%s: %d, want 400", q, resp.StatusCode)
		}
	}
}

// The state carries stack's own readiness probe beside the daemon's
// health (run again while it fails, every start_interval), how often a
// container was restarted by its policy, and whether an image is built
// from its context ("" for a pulled one).
func TestProbeRestartsAndImageState(t *testing.T) {
	f := dockerfake.New()
	f.AddImage(engine.Image{ID: "sha256:" + strings.Repeat("ab", 32), RepoTags: []string{fakeImage}})
	var ready atomic.Bool
	var probes atomic.Int32
	f.OnExec(func(c *dockerfake.FakeContainer, cmd []string) (engine.ExecResult, error) {
		if !slices.Equal(cmd, []string{"/app", "health"}) {
			return engine.ExecResult{ExitCode: 127}, nil
		}
		probes.Add(1)
		if ready.Load() {
			return engine.ExecResult{}, nil
		}
		return engine.ExecResult{ExitCode: 1, Output: "not yet"}, nil
	})
	e := engine.New(f, nil, nil)
	model := newModel("demo")
	model.Services["db"].Healthcheck = &spec.Healthcheck{Test: []string{"CMD", "/app", "health"}, StartInterval: time.Second}
	model.Services["web"].Restart = "always"
	if _, err := e.Up(t.Context(), model, engine.UpOptions{}); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Engine: e, Model: model, Token: "secret-token"})
	if err != nil {
		t.Fatal(err)
	}
	fs := serve(t, f, e, model, srv)
	events := fs.stream("/api/events")
	row := func(st State, name string) Container {
		for _, r := range st.Rows {
			if r.Name == name {
				return r
			}
		}
		return Container{}
	}
	st := events.until(func(st State) bool { return row(st, "demo-db-1").Probe == "not ready" })
	if r := row(st, "demo-db-1"); !strings.Contains(r.ProbeError, "exit code 1") {
		t.Errorf("probe error %q", r.ProbeError)
	}
	if r := row(st, "demo-web-1"); r.Probe != "" || r.ImageState != "" || r.RestartCount != 0 {
		t.Errorf("web without a healthcheck, pulled, never restarted: %+v", r)
	}
	ready.Store(true)
	events.until(func(st State) bool { return row(st, "demo-db-1").Probe == "ready" })
	n := probes.Load()

	if err := f.ExitContainer(fs.containerID("demo-web-1"), 1); err != nil {
		t.Fatal(err)
	}
	events.until(func(st State) bool {
		r := row(st, "demo-web-1")
		return r.State == "running" && r.RestartCount == 1
	})
	// A passed probe is not run again while the container runs on.
	if got := probes.Load(); got != n {
		t.Errorf("%d probes after it passed, want %d", got, n)
	}
}

// serve puts srv behind an httptest server, logged in.
func serve(t *testing.T, f *dockerfake.Fake, e *engine.Engine, model *spec.Project, srv *Server) *fakeStack {
	t.Helper()
	hs := newHTTPTest(t, srv)
	fs := &fakeStack{t: t, fake: f, engine: e, model: model, srv: srv, http: hs}
	fs.client = fs.login()
	return fs
}
