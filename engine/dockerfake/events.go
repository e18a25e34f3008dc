package dockerfake

import (
	"context"
	"maps"
	"sync"

	"github.com/stack-dev/stack/engine"
)

// subscriber is one Events stream. Events queue without bound, so emitting
// (under the fake's lock) never waits for a slow reader.
type subscriber struct {
	labels engine.Labels
	mu     sync.Mutex
	queue  []engine.Event
	wake   chan struct{} // capacity 1
}

// Events streams events of containers, networks and volumes whose labels
// match, from now until ctx ends.
func (f *Fake) Events(ctx context.Context, labels engine.Labels) (<-chan engine.Event, <-chan error) {
	out := make(chan engine.Event)
	errs := make(chan error)
	sub := &subscriber{labels: labels, wake: make(chan struct{}, 1)}
	f.mu.Lock()
	f.call("Events")
	f.subs[sub] = struct{}{}
	f.mu.Unlock()

	go func() {
		defer close(errs)
		defer close(out)
		defer func() {
			f.mu.Lock()
			delete(f.subs, sub)
			f.mu.Unlock()
		}()
		for {
			sub.mu.Lock()
			batch := sub.queue
			sub.queue = nil
			sub.mu.Unlock()
			for _, ev := range batch {
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
			select {
			case <-sub.wake:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, errs
}

// emit hands ev to every subscriber whose labels its attributes match; the
// caller holds f.mu, which keeps events in order.
func (f *Fake) emit(ev engine.Event) {
	if ev.Time.IsZero() {
		ev.Time = f.now()
	}
	for sub := range f.subs {
		if !matchLabels(sub.labels, ev.Attributes) {
			continue
		}
		cp := ev
		cp.Attributes = maps.Clone(ev.Attributes)
		sub.mu.Lock()
		sub.queue = append(sub.queue, cp)
		sub.mu.Unlock()
		select {
		case sub.wake <- struct{}{}:
		default:
		}
	}
}

func (f *Fake) emitContainer(c *FakeContainer, action string, extra map[string]string) {
	attrs := c.eventAttributes()
	maps.Copy(attrs, extra)
	f.emit(engine.Event{Type: "container", Action: action, ID: c.ID, Attributes: attrs})
}

// emitNetwork and emitVolume put the object's labels among the attributes,
// as the real adapter does.
func (f *Fake) emitNetwork(n *engine.Network, action string) {
	attrs := maps.Clone(n.Labels)
	attrs["name"] = n.Name
	attrs["type"] = n.Driver
	f.emit(engine.Event{Type: "network", Action: action, ID: n.ID, Attributes: attrs})
}

func (f *Fake) emitVolume(v *engine.Volume, action string) {
	attrs := maps.Clone(v.Labels)
	attrs["driver"] = v.Driver
	f.emit(engine.Event{Type: "volume", Action: action, ID: v.Name, Attributes: attrs})
}
