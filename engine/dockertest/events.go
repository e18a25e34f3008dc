package dockertest

import (
	"context"
	"fmt"
	"time"

	"github.com/stack-dev/stack/engine"
)

// testEvents subscribes with the project's label and expects the events of
// its objects, in order, and none of another project's.
func testEvents(h *harness) {
	ctx, cancel := context.WithCancel(h.ctx)
	defer cancel()
	events, errs := h.d.Events(ctx, engine.Labels{engine.LabelProject: h.project})
	// The daemon may need a moment to have the subscription in place.
	time.Sleep(200 * time.Millisecond)

	other := h.spec("other", "exit", "0")
	other.Labels = map[string]string{engine.LabelProject: h.project + "-other", "dev.stack.test": "1"}
	otherID := h.create(other)
	h.Cleanup(func() { h.d.ContainerRemove(context.Background(), otherID, true) })

	netID := h.network("events")
	id := h.run(h.spec("job", "exit", "0"))
	if code := h.wait(id); code != 0 {
		h.Fatalf("job exited %d", code)
	}
	if err := h.d.ContainerRemove(h.ctx, id, false); err != nil {
		h.Fatalf("ContainerRemove: %v", err)
	}
	if err := h.d.NetworkRemove(h.ctx, netID); err != nil {
		h.Fatalf("NetworkRemove: %v", err)
	}

	want := []string{
		"network create " + netID,
		"container create " + id,
		"container start " + id,
		"container die " + id,
		"container destroy " + id,
		"network destroy " + netID,
	}
	var got []string
	for len(want) > 0 {
		select {
		case ev, ok := <-events:
			if !ok {
				h.Fatalf("event stream ended; still want %v (got %v)", want, got)
			}
			if ev.ID == otherID {
				h.Errorf("event of another project: %+v", ev)
			}
			if ev.Attributes[engine.LabelProject] != h.project {
				h.Errorf("event without the project label: %+v", ev)
			}
			key := fmt.Sprintf("%s %s %s", ev.Type, ev.Action, ev.ID)
			got = append(got, key)
			if key == want[0] {
				want = want[1:]
			}
		case err := <-errs:
			h.Fatalf("event stream failed: %v", err)
		case <-time.After(10 * time.Second):
			h.Fatalf("timed out; still want %v, got %v", want, got)
		}
	}

	cancel()
	for range events {
	}
	if err, ok := <-errs; ok && err != nil {
		h.Errorf("error after cancel: %v, want none", err)
	}
}
