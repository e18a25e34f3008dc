package modelstack_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
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
	d := testenv.Docker(t)
	makeBins(t)
	for _, file := range []string{"stack.hcl", "compose.yaml"} {
		t.Run(file, func(t *testing.T) {
			dir := copyExample(t)
			project := testenv.Project(t)
			testenv.Cleanup(t, project)
			p, err := spec.Load(spec.LoadOptions{Files: []string{filepath.Join(dir, file)}, ProjectName: project})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range p.Services {
				for i := range s.Ports {
					s.Ports[i].HostPort = "" // ephemeral, so the test runs beside a `make up`
				}
			}
			for _, v := range p.Volumes {
				v.Labels = map[string]string{testenv.LabelTest: "1"}
			}
			// The edited gateway gets an image of its own: the example's
			// tag stays the example's.
			gw := p.Services["gateway"]
			gw.Image = project + "/gateway:dev"
			gw.Build.Labels = testenv.Labels(project)
			var images []string
			remember := func() {
				if img, err := d.ImageInspect(context.Background(), gw.Image); err == nil {
					images = append(images, img.ID)
				}
			}
			t.Cleanup(func() {
				ctx := context.Background()
				testenv.RemoveProject(ctx, d, project) // before the images it runs
				for _, ref := range append([]string{gw.Image}, images...) {
					if err := d.ImageRemove(ctx, ref); err != nil && !errors.Is(err, engine.ErrNotFound) {
						t.Logf("cleanup: %v", err)
					}
				}
			})

			e := engine.New(d, nil, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
			defer cancel()
			if _, err := e.Up(ctx, p, engine.UpOptions{Wait: true, WaitTimeout: 5 * time.Minute}); err != nil {
				t.Fatalf("up: %v", err)
			}
			remember()
			if v := gatewayVersion(t, e, project); v != "0.1.0" {
				t.Fatalf("gateway version before the edit: %q, want 0.1.0", v)
			}
			before := otherContainers(ctx, t, d, project)
			if len(before) != 7 { // 8 containers, the gateway's left out
				t.Fatalf("%d containers besides the gateway, want 7: %v", len(before), before)
			}

			var mu sync.Mutex
			var events []devloop.Event
			loopCtx, stop := context.WithCancel(ctx)
			ready, done := make(chan struct{}), make(chan error, 1)
			go func() {
				done <- devloop.Run(loopCtx, e, d, p, devloop.Options{
					Report: func(ev devloop.Event) {
						t.Logf("event: %s", ev)
						mu.Lock()
						events = append(events, ev)
						mu.Unlock()
					},
					Ready: func() { close(ready) },
				})
			}()
			defer func() {
				stop()
				if err := <-done; err != nil {
					t.Errorf("loop: %v", err)
				}
			}()
			select {
			case <-ready:
			case err := <-done:
				t.Fatalf("loop ended before it was ready: %v", err)
			case <-time.After(time.Minute):
				t.Fatal("loop not ready after a minute")
			}

			src := filepath.Join(dir, "gateway", "gateway.go")
			edit(t, src, `const version = "0.1.0"`, `const version = "0.1.0-watched"`)
			saved := time.Now()
			deadline := time.Now().Add(5 * time.Minute)
			for gatewayVersion(t, e, project) != "0.1.0-watched" {
				if time.Now().After(deadline) {
					mu.Lock()
					t.Fatalf("the gateway does not answer with the edit 5 minutes after it was saved; events: %v", events)
				}
				time.Sleep(50 * time.Millisecond)
			}
			t.Logf("the rebuilt gateway answered with the edit %v after it was saved", time.Since(saved).Round(time.Millisecond))
			remember()

			mu.Lock()
			var rebuilt bool
			for _, ev := range events {
				if ev.Service != "gateway" || ev.Action != spec.WatchRebuild || ev.Error != "" {
					t.Errorf("event %s, want only the gateway's rebuild", ev)
				}
				rebuilt = rebuilt || ev.Action == spec.WatchRebuild
			}
			mu.Unlock()
			if !rebuilt {
				t.Error("no rebuild event")
			}
			after := otherContainers(ctx, t, d, project)
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

// copyExample copies the example, with its built binaries, to a temporary
// folder, so the test edits a copy.
func copyExample(t *testing.T) string {
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
func edit(t *testing.T, file, old, new string) {
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
func gatewayVersion(t *testing.T, e *engine.Engine, project string) string {
	t.Helper()
	rows, err := e.Ps(context.Background(), project, engine.PsOptions{Services: []string{"gateway"}})
	if err != nil {
		t.Fatal(err)
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
func otherContainers(ctx context.Context, t *testing.T, d engine.Docker, project string) map[string]time.Time {
	t.Helper()
	cs, err := d.ContainerList(ctx, engine.Labels{engine.LabelProject: project})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]time.Time{}
	for _, c := range cs {
		if c.Labels[engine.LabelService] == "gateway" {
			continue
		}
		st, err := d.ContainerInspect(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[c.ID] = st.StartedAt
	}
	return out
}
