package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/spec"
)

// modelStack is the model-serving example (examples/modelstack, 8
// containers) up on the real engine, with a dashboard of it.
type modelStack struct {
	*realStack
}

// newModelStack builds the example's binaries as its own tests do (make
// modelstack-bins) and brings stack.hcl up in a project of the test's
// own: free host ports instead of 5000 and 8080, and image tags of its own
// so that another test building the example beside it cannot change the
// images under it.
func newModelStack(t *testing.T) *modelStack {
	t.Helper()
	root := testenv.ModelStackBins(t)
	project := testenv.Project(t)
	if os.Getenv("STACK_DASHBOARD_SCREENSHOT") != "" {
		project = "dashdemo" // the README's picture shows this name
	}
	docker := testenv.Docker(t)
	model, err := spec.Load(spec.LoadOptions{Files: []string{filepath.Join(root, "examples/modelstack/stack.hcl")}, ProjectName: project})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	var tags []string
	for _, s := range model.Services {
		for i := range s.Ports {
			s.Ports[i].HostPort = ""
		}
		if s.Build != nil {
			repo := s.Image
			if i := strings.LastIndex(s.Image, ":"); i > strings.LastIndex(s.Image, "/") {
				repo = s.Image[:i]
			}
			s.Image = repo + ":" + project
			tags = append(tags, s.Image)
		}
	}
	for _, v := range model.Volumes {
		v.Labels = map[string]string{testenv.LabelTest: "1"}
	}
	for _, n := range model.Networks {
		n.Labels = map[string]string{testenv.LabelTest: "1"}
	}
	// Registered first, so it runs after the project's containers are gone.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, tag := range tags {
			if err := docker.ImageRemove(ctx, tag); err != nil {
				t.Logf("remove image %s: %v", tag, err)
			}
		}
	})
	testenv.Cleanup(t, project)
	e := engine.New(docker, nil, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	if _, err := e.Up(ctx, model, engine.UpOptions{Wait: true, WaitTimeout: 5 * time.Minute}); err != nil {
		t.Fatalf("up: %v", err)
	}
	srv, err := New(Options{Engine: e, Model: model})
	if err != nil {
		t.Fatal(err)
	}
	hs := newHTTPTest(t, srv)
	return &modelStack{&realStack{project: project, docker: docker, engine: e, model: model, srv: srv, http: hs,
		url: srv.URL(hs.Listener.Addr().String())}}
}

// hostPort is the loopback address the engine published service's port on.
func (ms *modelStack) hostPort(t *testing.T, service string) string {
	t.Helper()
	c := ms.container(t, service)
	for _, p := range c.Publishers {
		if p.HostPort != "" {
			return "127.0.0.1:" + p.HostPort
		}
	}
	t.Fatalf("%s publishes no port: %+v", service, c.Publishers)
	return ""
}

// The dashboard of the model-serving example in a real browser: all 8
// containers with their health, stack's readiness probe, restart counts
// and up-to-date images; the graph with its edges and conditions; a live
// log line; a restart whose progress streams in and gives a new start
// time; a killed container whose last lines open by themselves; and the
// security checks (no token: 401; a foreign Origin cannot run an action).
// STACK_DASHBOARD_SCREENSHOT=PATH writes the README's picture
// (docs/dashboard.png) along the way.
func TestBrowserModelStack(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the model-serving example")
	}
	ctx := browser(t)
	ms := newModelStack(t)
	p := ms.project
	row := func(name string) string { return fmt.Sprintf(`document.querySelector('tr[data-container=%q]')`, name) }

	if err := chromedp.Do(ctx, chromedp.Navigate(ms.url)); err != nil {
		t.Fatal(err)
	}
	servers := []string{"registry-1", "model-registry-1", "model-server-1", "model-server-2", "model-server-embedded-1", "predlog-1", "gateway-1"}
	for _, c := range servers {
		name := p + "-" + c
		waitJS(t, ctx, name+" healthy and ready by stack's probe", fmt.Sprintf(
			`(r => r && r.dataset.state === "running" && r.dataset.health === "healthy" && r.dataset.probe === "ready")(%s)`, row(name)))
	}
	waitJS(t, ctx, "train completed", fmt.Sprintf(`(r => r && r.dataset.state === "completed")(%s)`, row(p+"-train-1")))
	waitJS(t, ctx, "8 containers, none restarted, every image up to date with its build context",
		`(rows => rows.length === 8 && rows.every(r => r.dataset.restarts === "0" && r.dataset.imageState === "up to date"))([...document.querySelectorAll('#services tbody tr')])`)
	for _, edge := range [][3]string{
		{"train", "model-registry", "healthy"},
		{"model-server", "train", "completed_successfully"},
		{"gateway", "model-server", "healthy"},
		{"gateway", "model-server-embedded", "healthy"},
		{"gateway", "predlog", "started"},
	} {
		waitJS(t, ctx, fmt.Sprintf("the graph's edge %s -> %s (%s)", edge[0], edge[1], edge[2]), fmt.Sprintf(
			`(g => g && g.textContent === %q)(document.querySelector('#graph g.edge[data-from=%q][data-to=%q]'))`, edge[2], edge[0], edge[1]))
	}
	waitJS(t, ctx, "the graph's nodes", `document.querySelectorAll('#graph g.node[data-state="healthy"]').length === 6 && !!document.querySelector('#graph g.node[data-service="train"][data-state="completed"]')`)

	// A live line: the registry logs a request the test makes now.
	marker := fmt.Sprintf("dashboard-marker-%d", time.Now().UnixNano())
	resp, err := http.Get("http://" + ms.hostPort(t, "registry") + "/v2/" + marker + "/tags/list")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitJS(t, ctx, "the registry's log line of the request", fmt.Sprintf(
		`[...document.querySelectorAll('#logs .logline')].some(d => d.textContent.startsWith(%q) && d.textContent.includes(%q))`, p+"-registry-1 | ", marker))

	// restart predlog: its progress streams in, as the CLI prints it.
	predlog := p + "-predlog-1"
	before, err := chromedp.Run(ctx, chromedp.Evaluate[string](row(predlog)+`.querySelector('.started').dataset.started`))
	if err != nil || before == "" {
		t.Fatalf("start time of predlog: %q %v", before, err)
	}
	clickRestart(t, ctx, predlog)
	waitJS(t, ctx, "a new start time after restart", fmt.Sprintf(`(r => r && r.dataset.state === "running" && r.querySelector('.started').dataset.started > %q)(%s)`, before, row(predlog)))
	waitJS(t, ctx, "restart's progress streamed in", fmt.Sprintf(
		`(p => p.dataset.state === "done" && Number(p.dataset.streamedLines) >= 2 && p.textContent.startsWith("restart predlog: done\n") && p.textContent.includes(%q) && p.textContent.includes(%q))(document.getElementById('progress'))`,
		predlog+" stopped", predlog+" running"))
	waitJS(t, ctx, "predlog healthy again", fmt.Sprintf(`(r => r && r.dataset.health === "healthy" && r.dataset.probe === "ready")(%s)`, row(predlog)))
	if path := os.Getenv("STACK_DASHBOARD_SCREENSHOT"); path != "" {
		// The click scrolled the table to its buttons; the picture shows it
		// from its start.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelectorAll("section").forEach(s => s.scrollLeft = 0); window.scrollTo(0, 0); true`)); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// A container that dies: its last lines open by themselves.
	embedded := p + "-model-server-embedded-1"
	if err := ms.docker.ContainerKill(t.Context(), ms.container(t, "model-server-embedded").ID, "KILL"); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the killed container's panel with its last lines", fmt.Sprintf(
		`(d => d && d.open && d.querySelector('summary').textContent.startsWith(%q) && [...d.querySelectorAll('.tail .logline')].some(l => l.textContent.includes("listening")))(document.querySelector('#failures details[data-container=%q]'))`,
		embedded+" exited with code 137", embedded))
	waitJS(t, ctx, "the killed container in the graph", `!!document.querySelector('#graph g.node[data-service="model-server-embedded"][data-state="exited"]')`)

	// Security: no token, no page; a foreign Origin runs no action, even
	// with the cookie and the token header; the page's own script cannot
	// act without the header.
	noToken, err := http.Get(ms.http.URL + "/api/state")
	if err != nil {
		t.Fatal(err)
	}
	noToken.Body.Close()
	if noToken.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/state without the token: %d, want 401", noToken.StatusCode)
	}
	req, _ := http.NewRequest("POST", ms.http.URL+"/api/action", strings.NewReader(`{"verb":"stop","service":"gateway"}`))
	req.AddCookie(&http.Cookie{Name: cookieName, Value: ms.srv.Token()})
	req.Header.Set(TokenHeader, ms.srv.Token())
	req.Header.Set("Origin", "http://evil.example")
	foreign, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	foreign.Body.Close()
	if foreign.StatusCode != http.StatusForbidden {
		t.Errorf("an action from a foreign Origin: %d, want 403", foreign.StatusCode)
	}
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch('/api/action', {method: 'POST', body: '{"verb":"stop","service":"gateway"}'}).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusUnauthorized {
		t.Errorf("an action without the token header: %d, want 401", status)
	}
	if c := ms.container(t, "gateway"); c.State != "running" {
		t.Errorf("gateway %s after refused stops", c.State)
	}
}
