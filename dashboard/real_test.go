package dashboard

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/spec"
)

// realStackHCL is the test stack: web depends on db being healthy, and
// publishes its port on loopback.
const realStackHCL = `variable "image" {
  type = string
}

service "db" {
  image             = var.image
  command           = ["serve"]
  stop_grace_period = "1s"
  labels            = { "dev.stack.test" = "1" }
  healthcheck {
    test     = ["CMD", "/testimage", "health"]
    interval = "1s"
    timeout  = "2s"
    retries  = 3
  }
}

service "web" {
  image             = var.image
  command           = ["serve"]
  ports             = ["127.0.0.1::8080"]
  stop_grace_period = "1s"
  labels            = { "dev.stack.test" = "1" }
  healthcheck {
    test     = ["CMD", "/testimage", "health"]
    interval = "1s"
    timeout  = "2s"
    retries  = 3
  }
  depends_on "db" {
    condition = "service_healthy"
  }
}
`

// realStack is the test stack up on the real engine, with a dashboard of
// it served on loopback.
type realStack struct {
	project string
	docker  engine.Docker
	engine  *engine.Engine
	model   *spec.Project
	srv     *Server
	http    *httptest.Server
	url     string // with the token
}

func newRealStack(t *testing.T) *realStack {
	t.Helper()
	image := testenv.TestImage(t)
	project := testenv.Project(t)
	testenv.Cleanup(t, project)
	dir := t.TempDir()
	file := filepath.Join(dir, "stack.hcl")
	if err := os.WriteFile(file, []byte(realStackHCL), 0o644); err != nil {
		t.Fatal(err)
	}
	model, err := spec.Load(spec.LoadOptions{Files: []string{file}, ProjectName: project, Vars: map[string]string{"image": image}})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	for _, n := range model.Networks {
		n.Labels = map[string]string{testenv.LabelTest: "1"}
	}
	docker := testenv.Docker(t)
	e := engine.New(docker, nil, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if _, err := e.Up(ctx, model, engine.UpOptions{Wait: true, WaitTimeout: time.Minute}); err != nil {
		t.Fatalf("up: %v", err)
	}
	srv, err := New(Options{Engine: e, Model: model})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close()
		hs.Close()
	})
	return &realStack{project: project, docker: docker, engine: e, model: model, srv: srv, http: hs,
		url: srv.URL(hs.Listener.Addr().String())}
}

func (rs *realStack) container(t *testing.T, service string) engine.ContainerSummary {
	t.Helper()
	rows, err := rs.engine.Ps(t.Context(), rs.project, engine.PsOptions{All: true, Services: []string{service}})
	if err != nil || len(rows) != 1 {
		t.Fatalf("ps %s: %+v %v", service, rows, err)
	}
	return rows[0]
}

// writeLog makes service's container print text on its stdout.
func (rs *realStack) writeLog(t *testing.T, service, text string) {
	t.Helper()
	id := rs.container(t, service).ID
	res, err := rs.docker.Exec(t.Context(), id, []string{"/testimage", "write", "/proc/1/fd/1", text + "\n"})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("exec write: %+v %v", res, err)
	}
}

// Against the real engine: the state shows the stack healthy with a
// working port link, follows a stop and a start, the logs stream carries a
// line the container writes, and restart gives a new start time.
func TestRealEngine(t *testing.T) {
	rs := newRealStack(t)
	fs := &fakeStack{t: t, srv: rs.srv, http: rs.http}
	fs.client = loginReal(t, rs)
	events := fs.stream("/api/events")
	st := events.until(func(st State) bool {
		return len(st.Services) == 2 && st.Services[0].State == "healthy" && st.Services[1].State == "healthy"
	})
	web := rs.project + "-web-1"
	var link string
	for _, r := range st.Rows {
		if r.Name == web && len(r.Ports) == 1 {
			link = r.Ports[0].URL
		}
	}
	if link == "" {
		t.Fatalf("no port link for web: %+v", st.Rows)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "hostname=") {
		t.Errorf("GET %s: %s", link, body)
	}
	if !strings.Contains(st.Graph, `data-from="web" data-to="db"`) || !strings.Contains(st.Graph, ">healthy</text>") {
		t.Errorf("graph: %s", st.Graph)
	}

	id := rs.container(t, "web").ID
	if err := rs.docker.ContainerStop(t.Context(), id, nil); err != nil {
		t.Fatal(err)
	}
	events.until(func(st State) bool { return rowState(st, web) == "exited" })
	if err := rs.docker.ContainerStart(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	events.until(func(st State) bool { return rowState(st, web) == "running" })

	logs := fs.stream("/api/logs?service=web")
	line := fmt.Sprintf("dashboard-test-line-%d", time.Now().UnixNano())
	rs.writeLog(t, "web", line)
	timer := time.AfterFunc(20*time.Second, func() { logs.resp.Body.Close() })
	for {
		event, data := logs.next()
		if event == "line" && strings.Contains(data, line) {
			break
		}
	}
	timer.Stop()

	before := rs.container(t, "web").StartedAt
	status, res := fs.action("restart", "web")
	if status != 200 || !res.OK {
		t.Fatalf("restart: %d %+v", status, res)
	}
	events.until(func(st State) bool {
		for _, r := range st.Rows {
			if r.Name == web && r.State == "running" && r.StartedAt.After(before) {
				return true
			}
		}
		return false
	})
}

func loginReal(t *testing.T, rs *realStack) *http.Client {
	t.Helper()
	c := &http.Client{Jar: &cookieJar{}}
	resp, err := c.Get(rs.url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	return c
}
