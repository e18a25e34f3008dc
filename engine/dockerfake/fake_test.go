package dockerfake

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
)

func newWithImage(t *testing.T) (*Fake, context.Context) {
	f := New()
	f.AddImage(engine.Image{ID: "sha256:img", RepoTags: []string{"app:1"}})
	return f, t.Context()
}

func TestOnStartScriptsAJobAndHealth(t *testing.T) {
	f, ctx := newWithImage(t)
	f.OnStart(func(c *FakeContainer) {
		switch c.Spec.Labels["role"] {
		case "job":
			f.WriteLog(c.ID, false, "done\n")
			f.ExitContainer(c.ID, 0)
		case "service":
			time.AfterFunc(20*time.Millisecond, func() { f.SetHealth(c.ID, "healthy") })
		}
	})
	job, _ := f.ContainerCreate(ctx, engine.ContainerSpec{Name: "job", Image: "app:1", Labels: map[string]string{"role": "job"}})
	svc, _ := f.ContainerCreate(ctx, engine.ContainerSpec{Name: "svc", Image: "app:1", Labels: map[string]string{"role": "service"},
		Healthcheck: &engine.Healthcheck{Test: []string{"CMD", "true"}}})
	events, _ := f.Events(ctx, engine.Labels{"role": "service"})
	for _, id := range []string{job, svc} {
		if err := f.ContainerStart(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if code, err := f.ContainerWait(ctx, job); err != nil || code != 0 {
		t.Errorf("job wait: %d, %v; want 0", code, err)
	}
	list, _ := f.ContainerList(ctx, engine.Labels{"role": "job"})
	if len(list) != 1 || !strings.HasPrefix(list[0].Status, "Exited (0) ") {
		t.Errorf("job listed as %+v, want status Exited (0) ...", list)
	}
	if st, _ := f.ContainerInspect(ctx, svc); st.Health != "starting" {
		t.Errorf("service health right after start: %q, want starting", st.Health)
	}
	for ev := range events {
		if ev.Action == "health_status: healthy" && ev.ID == svc {
			break
		}
	}
	list, _ = f.ContainerList(ctx, engine.Labels{"role": "service"})
	if len(list) != 1 || !strings.HasSuffix(list[0].Status, "(healthy)") {
		t.Errorf("service listed as %+v, want status Up ... (healthy)", list)
	}
	var out bytes.Buffer
	f.ContainerLogs(ctx, job, engine.LogOptions{}, &out, &out)
	if out.String() != "done\n" {
		t.Errorf("job log %q, want %q", out.String(), "done\n")
	}
}

func TestCallsCountsEveryMethod(t *testing.T) {
	f, ctx := newWithImage(t)
	f.ContainerList(ctx, nil)
	f.ContainerCreate(ctx, engine.ContainerSpec{Name: "a", Image: "app:1"})
	f.ContainerCreate(ctx, engine.ContainerSpec{Name: "a", Image: "app:1"}) // conflict still counts
	if got := f.Calls("ContainerCreate"); got != 2 {
		t.Errorf("ContainerCreate calls: %d, want 2", got)
	}
	f.ResetCalls()
	if got := f.Calls("ContainerCreate") + f.Calls("ContainerList"); got != 0 {
		t.Errorf("calls after reset: %d, want 0", got)
	}
}

func TestImagesBuildPullPushTag(t *testing.T) {
	f := New()
	ctx := t.Context()
	build := func(context string, spec engine.BuildSpec) string {
		id, err := f.ImageBuild(ctx, strings.NewReader(context), spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a := build("ctx-1", engine.BuildSpec{Tags: []string{"app"}})
	if again := build("ctx-1", engine.BuildSpec{Tags: []string{"app"}}); again != a {
		t.Errorf("same context and spec built %s then %s, want one ID", a, again)
	}
	if b := build("ctx-2", engine.BuildSpec{Tags: []string{"app"}}); b == a {
		t.Errorf("a different context built the same ID %s", b)
	}
	if img, err := f.ImageInspect(ctx, "app:latest"); err != nil || img.ID == a {
		t.Errorf("app:latest is %v, %v; want the newer build", img.ID, err)
	}

	if err := f.ImagePull(ctx, "registry.test/base:1", nil); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("pull of a missing image: %v, want ErrNotFound", err)
	}
	f.Registry["registry.test/base:1"] = engine.Image{ID: "sha256:base"}
	var progress []string
	if err := f.ImagePull(ctx, "registry.test/base:1", func(p engine.Progress) { progress = append(progress, p.Status) }); err != nil {
		t.Fatal(err)
	}
	if img, err := f.ImageInspect(ctx, "registry.test/base:1"); err != nil || img.ID != "sha256:base" || len(progress) == 0 {
		t.Errorf("after pull: %+v, %v, progress %v", img, err, progress)
	}

	if err := f.ImageTag(ctx, "app", "localhost:5000/app:2"); err != nil {
		t.Fatal(err)
	}
	if err := f.ImagePush(ctx, "localhost:5000/app:2", nil); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Registry["localhost:5000/app:2"]; !ok {
		t.Error("push did not reach the registry")
	}
	if err := f.ImageRemove(ctx, "localhost:5000/app:2"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ImageInspect(ctx, "app:latest"); err != nil {
		t.Errorf("removing one tag removed the other: %v", err)
	}
}

func TestStatusText(t *testing.T) {
	now := time.Now()
	cases := []struct {
		c    FakeContainer
		want string
	}{
		{FakeContainer{State: "created"}, "Created"},
		{FakeContainer{State: "running", StartedAt: now.Add(-3 * time.Second)}, "Up 3 seconds"},
		{FakeContainer{State: "running", StartedAt: now.Add(-90 * time.Second), Health: "starting"}, "Up About a minute (health: starting)"},
		{FakeContainer{State: "running", StartedAt: now.Add(-5 * time.Minute), Health: "healthy"}, "Up 5 minutes (healthy)"},
		{FakeContainer{State: "exited", ExitCode: 2, FinishedAt: now.Add(-2 * time.Hour)}, "Exited (2) 2 hours ago"},
	}
	for _, c := range cases {
		if got := c.c.status(now); got != c.want {
			t.Errorf("status of %+v: %q, want %q", c.c, got, c.want)
		}
	}
}
