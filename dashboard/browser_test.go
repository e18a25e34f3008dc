package dashboard

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium returns the path of Debian's chromium, or skips the test when
// it is missing (fails it when CI=true: CI must run the browser test).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is required on CI for the dashboard's browser test (.ci/run installs it)")
	}
	t.Skip("no chromium: install Debian's chromium to run the dashboard's browser test")
	return ""
}

// browser starts a headless chromium for the test and returns its context.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // root in CI
		chromedp.DisableGPU,
		chromedp.WindowSize(1480, 1000),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	// The first Run starts the browser, for as long as ctx lives.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// waitTimeout bounds one wait for the page: generous, for a loaded CI
// machine whose engine is busy with other tests.
const waitTimeout = 90 * time.Second

// waitJS waits until the expression is true in the page.
func waitJS(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, waitTimeout)
	defer cancel()
	// The context bounds the wait, not Poll's own 30 s default.
	if _, err := chromedp.Run(wctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(0))); err != nil {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("#services")))
		progress, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("conn").textContent + "\n" + document.getElementById("progress").textContent`))
		t.Fatalf("waiting for %s: %v\n%s\nconnection and actions:\n%s", what, err, html, progress)
	}
}

// A real browser on the dashboard of a running stack: every service with
// its state and health, the graph, a service that stops and starts again,
// a log line the container writes, the filter box, restart's new start
// time, and an action without the token header refused.
func TestBrowser(t *testing.T) {
	ctx := browser(t)
	rs := newRealStack(t)
	db, web := rs.project+"-db-1", rs.project+"-web-1"
	row := func(name string) string { return fmt.Sprintf(`document.querySelector('tr[data-container=%q]')`, name) }

	if err := chromedp.Do(ctx, chromedp.Navigate(rs.url)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{db, web} {
		waitJS(t, ctx, name+" healthy", fmt.Sprintf(`(r => r && r.dataset.state === "running" && r.dataset.health === "healthy")(%s)`, row(name)))
	}
	waitJS(t, ctx, "the graph's edge web -> db", `!!document.querySelector('#graph g.edge[data-from="web"][data-to="db"]')`)
	waitJS(t, ctx, "the graph's nodes healthy", `document.querySelectorAll('#graph g.node[data-state="healthy"]').length === 2`)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if want := rs.http.URL + "/"; loc != want {
		t.Errorf("location %s, want %s (the token out of the address bar)", loc, want)
	}

	// The buttons stay the same elements through the state pushes below,
	// so a click in progress is not lost to a redraw.
	dbRestart := fmt.Sprintf(`document.querySelector('tr[data-container=%q] button.act-restart')`, db)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](dbRestart+`.dataset.mark = "kept"`)); err != nil {
		t.Fatal(err)
	}
	id := rs.container(t, "web").ID
	if err := rs.docker.ContainerStop(t.Context(), id, nil); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "web exited", fmt.Sprintf(`(r => r && r.dataset.state === "exited")(%s)`, row(web)))
	waitJS(t, ctx, "web exited in the graph", `!!document.querySelector('#graph g.node[data-service="web"][data-state="exited"]')`)
	if err := rs.docker.ContainerStart(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "web healthy again", fmt.Sprintf(`(r => r && r.dataset.state === "running" && r.dataset.health === "healthy")(%s)`, row(web)))
	if kept, err := chromedp.Run(ctx, chromedp.Evaluate[bool](dbRestart+`.dataset.mark === "kept"`)); err != nil || !kept {
		t.Errorf("db's restart button was replaced by a state push (%v)", err)
	}

	line := fmt.Sprintf("browser-log-line-%d", time.Now().UnixNano())
	rs.writeLog(t, "web", line)
	waitJS(t, ctx, "the log line", fmt.Sprintf(`[...document.querySelectorAll('#logs .logline')].some(d => d.textContent === %q)`, web+" | "+line))
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#log-filter"), line)); err != nil {
		t.Fatal(err)
	}
	hiddenOthers, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`[...document.querySelectorAll('#logs .logline')].every(d => d.hidden === !d.textContent.includes(%q))`, line)))
	if err != nil {
		t.Fatal(err)
	}
	if !hiddenOthers {
		t.Error("the filter box does not hide the lines without its text")
	}

	before, err := chromedp.Run(ctx, chromedp.Evaluate[string](row(web)+`.querySelector('.started').dataset.started`))
	if err != nil || before == "" {
		t.Fatalf("start time of web: %q %v", before, err)
	}
	clickRestart(t, ctx, web)
	waitJS(t, ctx, "a new start time after restart", fmt.Sprintf(`(r => r && r.dataset.state === "running" && r.querySelector('.started').dataset.started > %q)(%s)`, before, row(web)))
	waitJS(t, ctx, "restart's progress", `document.getElementById('progress').textContent.startsWith('restart web: done')`)

	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch('/api/action', {method: 'POST', body: '{"verb":"stop","service":"db"}'}).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if status != 401 {
		t.Errorf("an action without the token header: %d, want 401", status)
	}
	if c := rs.container(t, "db"); c.State != "running" {
		t.Errorf("db %s after a refused stop", c.State)
	}
}

// clickRestart clicks the restart button of container's row with the
// mouse, as a user does: the rows are updated in place, so a state pushed
// between the press and the release does not swallow the click.
func clickRestart(t *testing.T, ctx context.Context, container string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-container=%q] button.act-restart`, container)))); err != nil {
		t.Fatalf("click restart of %s: %v", container, err)
	}
}

func TestBrowserFailurePanels(t *testing.T) {
	ctx := browser(t)
	fs := newFakeStack(t)
	db, web := fs.containerID("demo-db-1"), fs.containerID("demo-web-1")
	fs.fake.WriteLog(db, true, "db: disk full\n")
	fs.fake.WriteLog(web, false, "web: cannot reach db\n")
	if err := chromedp.Do(ctx, chromedp.Navigate(fs.srv.URL(fs.http.Listener.Addr().String()))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "both running", `document.querySelectorAll('#services tbody tr[data-state="running"]').length === 2`)
	panel := func(container, summary, line string) string {
		return fmt.Sprintf(`(d => d && d.open && d.querySelector('summary').textContent.startsWith(%q) && [...d.querySelectorAll('.tail .logline')].some(l => l.textContent === %q))(document.querySelector('#failures details[data-container=%q]'))`,
			container+" "+summary, line, container)
	}
	if err := fs.fake.SetHealth(db, "unhealthy"); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "db's panel", panel("demo-db-1", "is unhealthy", "db: disk full"))
	if err := fs.fake.ExitContainer(web, 2); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "web's panel", panel("demo-web-1", "exited with code 2", "web: cannot reach db"))
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#failures details').length`)); err != nil || n != 2 {
		t.Errorf("%d panels (%v), want 2", n, err)
	}
}
