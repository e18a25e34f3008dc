package engine_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
	"github.com/stack-dev/stack/spec"
)

// startInterrupted is the fake engine whose container start is cut short by
// Ctrl-C, failing as the daemon client does then.
type startInterrupted struct {
	*dockerfake.Fake
	cancel context.CancelFunc
}

func (s *startInterrupted) ContainerStart(ctx context.Context, id string) error {
	s.cancel()
	return fmt.Errorf("start container %s: Post \"http://%%2Fvar%%2Frun%%2Fdocker.sock/v1.41/containers/%s/start\": %w", id, id, context.Canceled)
}

// TestInterruptedStartSaysInterrupted: a container whose start Ctrl-C cut
// short is reported "interrupted", not with the API call's URL.
func TestInterruptedStartSaysInterrupted(t *testing.T) {
	f := dockerfake.New()
	f.AddImage(engine.Image{ID: "sha256:img", RepoTags: []string{"img"}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var errs []engine.Status
	e := engine.New(&startInterrupted{Fake: f, cancel: cancel}, nil, func(s engine.Status) {
		if s.Phase == engine.PhaseError {
			mu.Lock()
			errs = append(errs, s)
			mu.Unlock()
		}
	})
	p := &spec.Project{
		Name:     "p",
		Networks: map[string]*spec.Network{"default": {Key: "default", Name: "p_default"}},
		Volumes:  map[string]*spec.Volume{},
		Services: map[string]*spec.Service{"web": {Name: "web", Image: "img", Replicas: 1, DependsOn: map[string]spec.Dependency{}}},
	}
	if _, err := e.Up(ctx, p, engine.UpOptions{}); err == nil {
		t.Fatal("up succeeded, want the interrupted start's error")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(errs) != 1 || errs[0].Object != "p-web-1" || errs[0].Detail != "interrupted" {
		t.Errorf("error statuses %+v, want p-web-1 interrupted", errs)
	}
}
