package mobydocker_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/mobydocker"
	"github.com/stack-dev/stack/internal/testenv"
)

// TestRemoveWithoutToolchain removes a file in a FROM scratch container
// with no go command to be found: the helper is the running program itself,
// copied in, as a released stack binary does it.
func TestRemoveWithoutToolchain(t *testing.T) {
	d := testenv.Docker(t)
	image := testenv.TestImage(t)
	project := testenv.Project(t)
	testenv.Cleanup(t, project)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	v, err := d.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.Arch != runtime.GOARCH {
		t.Skipf("the daemon is %s, this program %s: it cannot be the helper", v.Arch, runtime.GOARCH)
	}

	// A static program that imports rmhelper, as the stack binary is: the
	// standalone helper, built here (the test may use the toolchain; the
	// removal below may not).
	static := filepath.Join(t.TempDir(), "stack")
	if err := mobydocker.BuildRmHelper(ctx, runtime.GOARCH, static); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		self string
	}{{"a static program that imports rmhelper", static}}
	// This test binary imports rmhelper too; `make test` builds it static
	// (CGO_ENABLED=0), as released stack binaries are.
	if exe, err := os.Executable(); err == nil {
		if _, ok := mobydocker.SelfHelper(runtime.GOARCH); ok {
			cases = append(cases, struct{ name, self string }{"this test binary", exe})
		} else {
			t.Logf("this test binary is dynamically linked (CGO_ENABLED=1): it is not tried as the helper")
		}
	}
	for i, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			defer mobydocker.UseRmHelper(func() (string, error) { return tt.self, nil }, "/nonexistent/go")()
			name := project + "-" + string(rune('a'+i))
			id, err := d.ContainerCreate(ctx, engine.ContainerSpec{Name: name, Image: image, Cmd: []string{"serve"}, Labels: testenv.Labels(project)})
			if err != nil {
				t.Fatal(err)
			}
			if err := d.ContainerStart(ctx, id); err != nil {
				t.Fatal(err)
			}
			tarOf := tarFiles(t, map[string]string{"app/a.txt": "a", "app/b.txt": "b"})
			if err := d.CopyToContainer(ctx, id, "/", tarOf, false); err != nil {
				t.Fatal(err)
			}
			if err := d.RemoveFromContainer(ctx, id, "/app", []string{"a.txt"}); err != nil {
				t.Fatalf("remove: %v", err)
			}
			if _, err := d.ContainerStatPath(ctx, id, "/app/a.txt"); !errors.Is(err, engine.ErrNotFound) {
				t.Errorf("/app/a.txt after its removal: %v, want not found", err)
			}
			if _, err := d.ContainerStatPath(ctx, id, "/app/b.txt"); err != nil {
				t.Errorf("/app/b.txt: %v", err)
			}
			st, err := d.ContainerStatPath(ctx, id, "/.stack-rmhelper")
			if err != nil {
				t.Fatalf("the helper in the container: %v", err)
			}
			if fi, err := os.Stat(tt.self); err != nil || st.Size != fi.Size() {
				t.Errorf("the helper in the container has %d bytes, %s %d (%v)", st.Size, tt.self, fi.Size(), err)
			}
		})
	}

	// A program that cannot be the helper (dynamically linked) and no go
	// command: the error says what is missing.
	t.Run("no static program and no toolchain", func(t *testing.T) {
		dynamic := ""
		for _, p := range []string{"/bin/ls", "/usr/bin/env"} {
			if _, err := os.Stat(p); err == nil {
				dynamic = p
				break
			}
		}
		defer mobydocker.UseRmHelper(func() (string, error) { return dynamic, nil }, "/nonexistent/go")()
		if _, ok := mobydocker.SelfHelper(runtime.GOARCH); ok {
			t.Skipf("%s is static here", dynamic)
		}
		t.Setenv("XDG_CACHE_HOME", t.TempDir()) // no helper built before
		t.Setenv("HOME", t.TempDir())
		id, err := d.ContainerCreate(ctx, engine.ContainerSpec{Name: project + "-dyn", Image: image, Cmd: []string{"serve"}, Labels: testenv.Labels(project)})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.ContainerStart(ctx, id); err != nil {
			t.Fatal(err)
		}
		err = d.RemoveFromContainer(ctx, id, "/data", []string{"x"})
		if err == nil || !strings.Contains(err.Error(), "go toolchain") {
			t.Errorf("remove without a helper: %v, want the toolchain named", err)
		}
	})
}

// tarFiles is a tar of files (path: content), folders made as needed.
func tarFiles(t *testing.T, files map[string]string) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if dir := path.Dir(name); dir != "." && !dirs[dir] {
			dirs[dir] = true
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755}); err != nil {
				t.Fatal(err)
			}
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(files[name]))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(files[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}
