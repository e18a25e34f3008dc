package dryrun_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
	"github.com/stack-dev/stack/engine/dryrun"
)

// Every change is said and none is made; reads see the real state.
func TestDryRunChangesNothing(t *testing.T) {
	ctx := context.Background()
	f := dockerfake.New()
	f.AddImage(engine.Image{ID: "sha256:" + strings.Repeat("ab", 32), RepoTags: []string{"img:1"}})
	id, err := f.ContainerCreate(ctx, engine.ContainerSpec{Name: "p-web-1", Image: "img:1", Labels: map[string]string{engine.LabelProject: "p"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.ContainerStart(ctx, id); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	d := dryrun.New(f, &out)
	steps := []struct {
		do   func() error
		want string
	}{
		{func() error { return d.ContainerStop(ctx, id, nil) }, "dry-run: would stop container p-web-1"},
		{func() error { return d.ContainerKill(ctx, id, "SIGTERM") }, "dry-run: would send TERM to container p-web-1"},
		{func() error { return d.ContainerPause(ctx, id) }, "dry-run: would pause container p-web-1"},
		{func() error { return d.ContainerRemove(ctx, id, true) }, "dry-run: would remove container p-web-1"},
		{func() error { return d.NetworkRemove(ctx, "p_default") }, "dry-run: would remove network p_default"},
		{func() error { return d.VolumeRemove(ctx, "p_data") }, "dry-run: would remove volume p_data"},
		{func() error {
			nid, err := d.ContainerCreate(ctx, engine.ContainerSpec{Name: "p-new-1", Image: "img:1"})
			if err != nil {
				return err
			}
			if st, err := d.ContainerInspect(ctx, nid); err != nil || st.Name != "p-new-1" {
				t.Errorf("inspect of a pretended container: %+v, %v", st, err)
			}
			return d.ContainerStart(ctx, nid)
		}, "dry-run: would create container p-new-1 (image img:1)\ndry-run: would start container p-new-1"},
	}
	for _, s := range steps {
		out.Reset()
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.want, err)
		}
		if got := strings.TrimSpace(out.String()); got != s.want {
			t.Errorf("said %q, want %q", got, s.want)
		}
	}
	list, err := d.ContainerList(ctx, engine.Labels{engine.LabelProject: "p"})
	if err != nil || len(list) != 1 || list[0].State != "running" {
		t.Errorf("after the dry run: %+v, %v; want the one container still running", list, err)
	}
	for _, m := range []string{"ContainerStop", "ContainerKill", "ContainerPause", "ContainerRemove", "ContainerCreate"} {
		want := map[string]int{"ContainerCreate": 1}[m]
		if got := f.Calls(m); got != want {
			t.Errorf("%s reached the daemon %d times, want %d", m, got, want)
		}
	}
}

// An image the dry run pretended to build or pull can be inspected, as the
// build's caller does next; one it did not is still not found.
func TestDryRunBuildThenInspect(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	f := dockerfake.New()
	d := dryrun.New(f, &out)
	id, err := d.ImageBuild(ctx, strings.NewReader("a tar"), engine.BuildSpec{Tags: []string{"app:1"}, Labels: map[string]string{"k": "v"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	img, err := d.ImageInspect(ctx, "app:1")
	if err != nil || img.ID != id || img.Labels["k"] != "v" {
		t.Errorf("inspect after a dry build: %+v, %v; want ID %s with the build's labels", img, err, id)
	}
	if err := d.ImagePull(ctx, "db:2", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ImageInspect(ctx, "db:2"); err != nil {
		t.Errorf("inspect after a dry pull: %v", err)
	}
	if _, err := d.ImageInspect(ctx, "other:3"); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("inspect of an image nobody made: %v, want ErrNotFound", err)
	}
	if _, err := f.ImageInspect(ctx, "app:1"); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("the daemon has app:1 after a dry build: %v", err)
	}
	if !strings.Contains(out.String(), "dry-run: would build image app:1") {
		t.Errorf("said %q", out.String())
	}
}
