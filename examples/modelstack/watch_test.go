package modelstack_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stack-dev/stack/devloop"
	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/spec"
)

// TestUpWatchRebuildsGatewayFromSource is `stack up --watch` on the example:
// an edit of the gateway's source, saved in a copy of the example, rebuilds
// the gateway's image from source and recreates it, the new gateway answers
// with the change, and no other container of the stack is touched.
func TestUpWatchRebuildsGatewayFromSource(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the whole example")
	}
	testenv.ModelStackBins(t)
	for _, file := range []string{"stack.hcl", "compose.yaml"} {
		t.Run(file, func(t *testing.T) {
			w := upWatched(t, file)
			if v := w.gatewayVersion(); v != "0.1.0" {
				t.Fatalf("gateway version before the edit: %q, want 0.1.0", v)
			}
			before := w.otherContainers()
			if len(before) != 7 { // 8 containers, the gateway's left out
				t.Fatalf("%d containers besides the gateway, want 7: %v", len(before), before)
			}

			took := w.editVersion("0.1.0", "0.1.0-watched")
			t.Logf("the rebuilt gateway answered with the edit %v after it was saved", took.Round(time.Millisecond))

			// The loop reports once the old gateway is gone, which may be
			// after the new one answers.
			for deadline := time.Now().Add(time.Minute); len(w.seen()) == 0; time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("no event a minute after the gateway answered with the edit")
				}
			}
			for _, ev := range w.seen() {
				if ev.Service != "gateway" || ev.Action != spec.WatchRebuild || ev.Error != "" {
					t.Errorf("event %s, want only the gateway's rebuild", ev)
				}
			}
			after := w.otherContainers()
			for id, started := range before {
				if a, ok := after[id]; !ok || !a.Equal(started) {
					t.Errorf("container %s: started %v before the rebuild, %v (present %v) after", id, started, a, ok)
				}
			}
			if len(after) != len(before) {
				t.Errorf("%d other containers after the rebuild, %d before", len(after), len(before))
			}
		})
	}
}

// BenchmarkUpWatchGatewayRebuild times the rebuild of a small Go service
// under `stack up --watch`: from the save of an edit of the gateway's source
// to the recreated gateway answering with it (compile with a warm cache,
// image, recreate, healthy). Run it with
//
//	go test ./examples/modelstack -run XXX -bench UpWatchGatewayRebuild -benchtime 5x
func BenchmarkUpWatchGatewayRebuild(b *testing.B) {
	testenv.ModelStackBins(b)
	w := upWatched(b, "stack.hcl")
	var times []time.Duration
	old := "0.1.0"
	for b.Loop() {
		// A version never built before, so BuildKit has no layer of it.
		next := fmt.Sprintf("0.1.0-bench-%d", time.Now().UnixNano())
		times = append(times, w.editVersion(old, next))
		old = next
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[(len(times)-1)/2].Milliseconds()), "rebuild-p50-ms")
	b.ReportMetric(float64(times[len(times)-1].Milliseconds()), "rebuild-max-ms")
}

// watched is the example up, from a copy of its folder, with the dev loop
// running on it until the test ends.
type watched struct {
	tb      testing.TB
	ctx     context.Context
	d       engine.Docker
	e       *engine.Engine
	dir     string
	project string

	mu     sync.Mutex
	events []devloop.Event
}

func upWatched(tb testing.TB, file string) *watched {
	tb.Helper()
	d := testenv.Docker(tb)
	w := &watched{tb: tb, d: d, e: engine.New(d, nil, nil), dir: copyExample(tb), project: testenv.Project(tb)}
	testenv.Cleanup(tb, w.project)
	p, err := spec.Load(spec.LoadOptions{Files: []string{filepath.Join(w.dir, file)}, ProjectName: w.project})
	if err != nil {
		tb.Fatal(err)
	}
	for _, s := range p.Services {
		for i := range s.Ports {
			s.Ports[i].HostPort = "" // ephemeral, so the test runs beside a `make up`
		}
	}
	for _, v := range p.Volumes {
		v.Labels = map[string]string{testenv.LabelTest: "1"}
	}
	// The edited gateway gets an image of its own: the example's tag stays
	// the example's.
	gw := p.Services["gateway"]
	gw.Image = w.project + "/gateway:dev"
	gw.Build.Labels = testenv.Labels(w.project)
	var images []string
	remember := func() {
		if img, err := d.ImageInspect(context.Background(), gw.Image); err == nil {
			images = append(images, img.ID)
		}
	}
	tb.Cleanup(func() {
		ctx := context.Background()
		testenv.RemoveProject(ctx, d, w.project) // before the images it runs
		remember()
		for _, ref := range append([]string{gw.Image}, images...) {
			if err := d.ImageRemove(ctx, ref); err != nil && !errors.Is(err, engine.ErrNotFound) {
				tb.Logf("cleanup: %v", err)
			}
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	tb.Cleanup(cancel)
	w.ctx = ctx
	if _, err := w.e.Up(ctx, p, engine.UpOptions{Wait: true, WaitTimeout: 5 * time.Minute}); err != nil {
		tb.Fatalf("up: %v", err)
	}
	remember()

	loopCtx, stop := context.WithCancel(ctx)
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- devloop.Run(loopCtx, w.e, d, p, devloop.Options{
			Report: func(ev devloop.Event) {
				tb.Logf("event: %s", ev)
				if ev.Action == spec.WatchRebuild {
					remember() // every image the loop built goes at the end
				}
				w.mu.Lock()
				w.events = append(w.events, ev)
				w.mu.Unlock()
			},
			Ready: func() { close(ready) },
		})
	}()
	tb.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			tb.Errorf("loop: %v", err)
		}
	})
	select {
	case <-ready:
	case err := <-done:
		tb.Fatalf("loop ended before it was ready: %v", err)
	case <-time.After(time.Minute):
		tb.Fatal("loop not ready after a minute")
	}
	return w
}

func (w *watched) seen() []devloop.Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]devloop.Event(nil), w.events...)
}

// editVersion saves the gateway's source with its version changed from old
// to new and returns how long after the save the gateway answered with it.
func (w *watched) editVersion(old, new string) time.Duration {
	w.tb.Helper()
	edit(w.tb, filepath.Join(w.dir, "gateway", "gateway.go"), `const version = "`+old+`"`, `const version = "`+new+`"`)
	saved := time.Now()
	deadline := saved.Add(5 * time.Minute)
	for w.gatewayVersion() != new {
		if time.Now().After(deadline) {
			w.tb.Fatalf("the gateway does not answer with version %s 5 minutes after it was saved; events: %v", new, w.seen())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(saved)
}

// copyExample copies the example, with its built binaries, to a temporary
// folder, so the test edits a copy.
func copyExample(t testing.TB) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "modelstack")
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dst, p)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode().Perm())
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		t.Fatalf("copy the example: %v", err)
	}
	return dst
}

// edit replaces old with new in file, as an editor's save does.
func edit(t testing.TB, file, old, new string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", file, old)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// gatewayVersion is the version GET /healthz of the running gateway
// reports, "" while it does not answer (being recreated, its port changes).
func (w *watched) gatewayVersion() string {
	w.tb.Helper()
	rows, err := w.e.Ps(w.ctx, w.project, engine.PsOptions{Services: []string{"gateway"}})
	if err != nil {
		w.tb.Fatal(err)
	}
	if len(rows) != 1 || rows[0].State != "running" || len(rows[0].Ports) == 0 {
		return ""
	}
	host, _, _ := strings.Cut(rows[0].Ports[0], "->")
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + host + "/healthz")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var health struct{ Version string }
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&health) != nil {
		return ""
	}
	return health.Version
}

// otherContainers maps the ID of every container of the project but the
// gateway's to when it started.
func (w *watched) otherContainers() map[string]time.Time {
	w.tb.Helper()
	cs, err := w.d.ContainerList(w.ctx, engine.Labels{engine.LabelProject: w.project})
	if err != nil {
		w.tb.Fatal(err)
	}
	out := map[string]time.Time{}
	for _, c := range cs {
		if c.Labels[engine.LabelService] == "gateway" {
			continue
		}
		st, err := w.d.ContainerInspect(w.ctx, c.ID)
		if err != nil {
			w.tb.Fatal(err)
		}
		out[c.ID] = st.StartedAt
	}
	return out
}
