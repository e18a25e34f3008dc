package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
)

// ImageFreshness follows the build context: missing before the first
// build, up to date after it, stale once a file of the context changes
// (what plan calls "image changed"), and not built for a pulled image.
func TestImageFreshness(t *testing.T) {
	dir := buildDir(t, map[string]string{"Dockerfile": "FROM scratch\nCOPY . /\n", "src.txt": "v1"})
	p := &spec.Project{Name: "demo", Services: map[string]*spec.Service{
		"app": {Name: "app", Build: &spec.Build{Context: dir}},
		"db":  {Name: "db", Image: "postgres:16"},
	}}
	e, _, _ := fakeEngine()
	ctx := context.Background()
	want := func(service, state string) {
		t.Helper()
		got, err := e.ImageFreshness(ctx, p, service)
		if err != nil || got != state {
			t.Fatalf("ImageFreshness(%s) = %q, %v; want %q", service, got, err, state)
		}
	}
	want("app", engine.ImageMissing)
	want("db", engine.ImageNotBuilt)
	if _, err := e.EnsureImages(ctx, p, []string{"app"}, engine.ImageOptions{}); err != nil {
		t.Fatal(err)
	}
	want("app", engine.ImageUpToDate)
	if err := os.WriteFile(filepath.Join(dir, "src.txt"), []byte("v2"), 0o644); err != nil {
		t.Fatal(err)
	}
	want("app", engine.ImageStale)
	if _, err := e.ImageFreshness(ctx, p, "nope"); err == nil {
		t.Error("ImageFreshness of an unknown service: no error")
	}
}
