package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
)

// fakeContainer creates (and with running, starts) a service container of
// project on f.
func fakeContainer(t *testing.T, f *dockerfake.Fake, project, service string, running bool) string {
	t.Helper()
	id, err := f.ContainerCreate(context.Background(), engine.ContainerSpec{
		Name: project + "-" + service + "-1", Image: "img",
		Labels: map[string]string{
			engine.LabelProject: project, engine.LabelService: service, engine.LabelNumber: "1",
			engine.LabelConfigFiles: "/src/" + project + "/compose.yaml",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if running {
		if err := f.ContainerStart(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func TestProjects(t *testing.T) {
	f := dockerfake.New()
	f.AddImage(engine.Image{ID: "sha256:img", RepoTags: []string{"img"}})
	fakeContainer(t, f, "shop", "web", true)
	fakeContainer(t, f, "shop", "api", true)
	fakeContainer(t, f, "shop", "migrate", false)
	fakeContainer(t, f, "idle", "web", false)
	if _, err := f.ContainerCreate(context.Background(), engine.ContainerSpec{Name: "alien", Image: "img"}); err != nil {
		t.Fatal(err)
	}
	e := engine.New(f, nil, nil)
	for _, tc := range []struct {
		all  bool
		want string
	}{
		{false, "[{shop created(1), running(2) /src/shop/compose.yaml}]"},
		{true, "[{idle created(1) /src/idle/compose.yaml} {shop created(1), running(2) /src/shop/compose.yaml}]"},
	} {
		rows, err := e.Projects(context.Background(), tc.all)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(rows); got != tc.want {
			t.Errorf("Projects(all=%v) = %s, want %s", tc.all, got, tc.want)
		}
	}
}

func TestWaitExit(t *testing.T) {
	f := dockerfake.New()
	f.AddImage(engine.Image{ID: "sha256:img", RepoTags: []string{"img"}})
	web := fakeContainer(t, f, "shop", "web", true)
	job := fakeContainer(t, f, "shop", "job", true)
	e := engine.New(f, nil, nil)
	ctx := context.Background()

	type result struct {
		name string
		code int
		err  error
	}
	wait := func(services []string, first bool) <-chan result {
		ch := make(chan result, 1)
		go func() {
			name, code, err := e.WaitExit(ctx, "shop", services, first)
			ch <- result{name, code, err}
		}()
		return ch
	}
	all, first := wait(nil, false), wait(nil, true)
	time.Sleep(50 * time.Millisecond)
	if err := f.ExitContainer(job, 3); err != nil {
		t.Fatal(err)
	}
	if r := <-first; r.err != nil || r.name != "shop-job-1" || r.code != 3 {
		t.Errorf("first: %+v, want shop-job-1 with 3", r)
	}
	select {
	case r := <-all:
		t.Fatalf("wait for all returned while web runs: %+v", r)
	case <-time.After(50 * time.Millisecond):
	}
	if err := f.ExitContainer(web, 0); err != nil {
		t.Fatal(err)
	}
	if r := <-all; r.err != nil || r.name != "shop-job-1" || r.code != 3 {
		t.Errorf("all: %+v, want the first to stop, shop-job-1 with 3", r)
	}
	if _, _, err := e.WaitExit(ctx, "shop", []string{"nosuch"}, false); err == nil {
		t.Error("waiting for a service with no containers succeeded")
	}
}
