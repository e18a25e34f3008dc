package engine_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/spec"
)

// Real-daemon-only tests: what the fake cannot have (ports on the host).

func TestPublishedPort(t *testing.T) {
	realOnly(t, func(t *testing.T, e *env) {
		p := e.stack()
		s := e.service(p, "web")
		s.Ports = []spec.Port{{HostIP: "127.0.0.1", ContainerPort: 8080}}
		withHealthcheck(s)
		e.up(p, engine.UpOptions{Wait: true, WaitTimeout: time.Minute})
		rows, err := e.engine.Ps(e.ctx(), e.project, engine.PsOptions{})
		if err != nil || len(rows) != 1 || len(rows[0].Ports) != 1 {
			t.Fatalf("ps: %+v %v", rows, err)
		}
		hostPort := strings.TrimPrefix(strings.Split(rows[0].Ports[0], "->")[0], "127.0.0.1:")
		resp, err := http.Get("http://127.0.0.1:" + hostPort + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(body), "hostname=") {
			t.Errorf("GET /: %d %s", resp.StatusCode, body)
		}
	})
}

// plan (and up --dry-run) say that a changed build context means a rebuild
// and a recreate, without building.
func TestPlanSeesChangedBuildContext(t *testing.T) {
	realOnly(t, func(t *testing.T, e *env) {
		dir := t.TempDir()
		write := func(name, content string) {
			t.Helper()
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write("Dockerfile", "FROM "+e.image+"\nCOPY msg.txt /msg.txt\n")
		write("msg.txt", "v1\n")
		p := e.stack()
		s := e.service(p, "app")
		s.Image = e.project + "/app:dev"
		s.Build = &spec.Build{Context: dir, Labels: map[string]string{engine.LabelProject: e.project}}
		var built []string
		t.Cleanup(func() {
			ctx := context.Background()
			if err := testenv.RemoveProject(ctx, e.docker, e.project); err != nil {
				t.Errorf("cleanup: %v", err)
			}
			for _, ref := range append([]string{s.Image}, built...) {
				if err := e.docker.ImageRemove(ctx, ref); err != nil && !errors.Is(err, engine.ErrNotFound) {
					t.Errorf("cleanup: %v", err)
				}
			}
		})
		e.up(p, engine.UpOptions{})
		if img, err := e.docker.ImageInspect(e.ctx(), s.Image); err == nil {
			built = append(built, img.ID)
		}
		plan, err := e.engine.Plan(e.ctx(), p, engine.PlanOptions{})
		if err != nil || plan.Changes() {
			t.Fatalf("plan of an unchanged stack: %+v, %v; want no changes", plan, err)
		}

		write("msg.txt", "v2\n")
		plan, err = e.engine.Plan(e.ctx(), p, engine.PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		plan.Write(&b)
		if !strings.Contains(b.String(), "recreate") || !strings.Contains(b.String(), "build context") {
			t.Errorf("plan after a context change:\n%s\nwant a recreate for the changed build context", b.String())
		}
		if img, err := e.docker.ImageInspect(e.ctx(), s.Image); err != nil || img.ID != built[0] {
			t.Errorf("plan built an image: %s, %v", img.ID, err)
		}
		e.up(p, engine.UpOptions{})
		if img, err := e.docker.ImageInspect(e.ctx(), s.Image); err == nil {
			built = append(built, img.ID)
		}
		if plan, err := e.engine.Plan(e.ctx(), p, engine.PlanOptions{}); err != nil || plan.Changes() {
			t.Errorf("plan after up: %+v, %v; want no changes", plan, err)
		}
	})
}
