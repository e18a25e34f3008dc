package devloop_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stack-dev/stack/devloop"
	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
	"github.com/stack-dev/stack/spec"
)

// blockingBuild is the fake engine with a build that lasts until its
// context ends, as one does when Ctrl-C comes in the middle of it.
type blockingBuild struct {
	*dockerfake.Fake
	building chan struct{}
}

func (b *blockingBuild) ImageBuild(ctx context.Context, bc io.Reader, s engine.BuildSpec, fn func(engine.Progress)) (string, error) {
	close(b.building)
	<-ctx.Done()
	return "", ctx.Err()
}

// TestInterruptedRebuildIsNoFailure: a rebuild the loop's end cuts short
// reports nothing, not "rebuild of web failed, the old containers keep
// running" while they are being stopped.
func TestInterruptedRebuildIsNoFailure(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := &blockingBuild{Fake: dockerfake.New(), building: make(chan struct{})}
	p := &spec.Project{
		Name:     "p",
		Networks: map[string]*spec.Network{"default": {Key: "default", Name: "p_default"}},
		Volumes:  map[string]*spec.Volume{},
		Services: map[string]*spec.Service{"web": {
			Name: "web", Image: "p/web:dev", Build: &spec.Build{Context: dir}, Replicas: 1,
			DependsOn: map[string]spec.Dependency{},
			Develop:   &spec.Develop{Watch: []spec.WatchRule{{Action: spec.WatchRebuild, Path: dir}}},
		}},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var events []devloop.Event
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- devloop.Run(ctx, engine.New(d, nil, nil), d, p, devloop.Options{
			Report: func(e devloop.Event) { mu.Lock(); events = append(events, e); mu.Unlock() },
			Ready:  func() { close(ready) },
		})
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("loop ended before it was ready: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("loop not ready after a minute")
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n# edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	select {
	case <-d.building:
	case <-time.After(time.Minute):
		t.Fatal("no rebuild started a minute after the save")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("loop: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("loop still running a minute after its context ended")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, e := range events {
		if e.Error != "" {
			t.Errorf("event %q after the loop was ended, want none with an error", e)
		}
	}
}
