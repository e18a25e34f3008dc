package fswatch

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// A burst of writes, one of them in a folder made after the watch began,
// is one batch that names each path.
func TestBatchFollowsNewFolders(t *testing.T) {
	dir := t.TempDir()
	w, err := New(30 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add(dir); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)

	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, "a.txt"), filepath.Join(sub, "b.txt")} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	deadline := time.After(10 * time.Second)
	for !slices.Contains(got, filepath.Join(sub, "b.txt")) || !slices.Contains(got, filepath.Join(dir, "a.txt")) {
		select {
		case <-w.Ready():
			got = append(got, w.Take()...)
		case err := <-w.Errors():
			t.Fatal(err)
		case <-deadline:
			t.Fatalf("changes seen: %v; want a.txt and sub/b.txt", got)
		}
	}
	// A file written into the new folder later is seen too: it is watched.
	later := filepath.Join(sub, "c.txt")
	if err := os.WriteFile(later, []byte("y"), 0o644); err != nil {
		t.Fatal(err)
	}
	for !slices.Contains(got, later) {
		select {
		case <-w.Ready():
			got = append(got, w.Take()...)
		case <-deadline:
			t.Fatalf("changes seen: %v; want %s", got, later)
		}
	}
}
