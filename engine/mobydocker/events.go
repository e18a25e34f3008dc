package mobydocker

import (
	"context"
	"maps"
	"sync"
	"time"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/client"
	"go.uber.org/zap"

	"github.com/stack-dev/stack/engine"
)

// Events streams container, network and volume events whose labels match,
// from now until ctx ends; a normal end closes both channels with no error.
//
// Only container events carry their object's labels. Network and volume
// events (on API 1.41) carry a name, so the labels of those objects are
// looked up when they are created and remembered until they are destroyed;
// every emitted event has the object's labels among its Attributes.
func (c *Client) Events(ctx context.Context, labels engine.Labels) (<-chan engine.Event, <-chan error) {
	out := make(chan engine.Event, 64)
	errs := make(chan error, 1)
	done := c.trace("Events", "")
	filters := client.Filters{}.Add("type", string(events.ContainerEventType), string(events.NetworkEventType), string(events.VolumeEventType))
	// Subscribe before listing, so an object created in between is seen.
	stream := c.api.Events(ctx, client.EventsListOptions{Filters: filters})

	go func() {
		var err error
		defer close(out)
		defer close(errs)
		defer func() { done(&err) }()
		objects, err := c.labelledObjects(ctx, labels)
		if err != nil {
			errs <- err
			return
		}
		for {
			select {
			case <-ctx.Done():
				return
			case err = <-stream.Err:
				if err != nil && ctx.Err() == nil {
					errs <- apiErr("events", err)
				}
				return
			case msg := <-stream.Messages:
				ev, ok := objects.match(ctx, msg)
				if !ok {
					continue
				}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, errs
}

// labelledObjects is what Events knows of the labels of networks and
// volumes, whose events do not carry them.
type labelledObjects struct {
	c      *Client
	want   engine.Labels
	mu     sync.Mutex
	labels map[string]map[string]string // "network/<id>", "volume/<name>" -> labels of matching objects
}

func (c *Client) labelledObjects(ctx context.Context, want engine.Labels) (*labelledObjects, error) {
	lo := &labelledObjects{c: c, want: want, labels: map[string]map[string]string{}}
	nets, err := c.NetworkList(ctx, want)
	if err != nil {
		return nil, err
	}
	for _, n := range nets {
		lo.labels["network/"+n.ID] = n.Labels
	}
	vols, err := c.VolumeList(ctx, want)
	if err != nil {
		return nil, err
	}
	for _, v := range vols {
		lo.labels["volume/"+v.Name] = v.Labels
	}
	return lo, nil
}

// match turns msg into an engine event if its object's labels match.
func (lo *labelledObjects) match(ctx context.Context, msg events.Message) (engine.Event, bool) {
	ev := engine.Event{
		Type:       string(msg.Type),
		Action:     string(msg.Action),
		ID:         msg.Actor.ID,
		Attributes: maps.Clone(msg.Actor.Attributes),
		Time:       time.Unix(0, msg.TimeNano),
	}
	if ev.Attributes == nil {
		ev.Attributes = map[string]string{}
	}
	if msg.Type == events.ContainerEventType {
		return ev, matchLabels(lo.want, ev.Attributes)
	}

	key := string(msg.Type) + "/" + msg.Actor.ID
	if msg.Action == events.ActionCreate {
		labels, ok := lo.lookup(ctx, msg.Type, msg.Actor.ID)
		if !ok || !matchLabels(lo.want, labels) {
			return ev, false
		}
		lo.mu.Lock()
		lo.labels[key] = labels
		lo.mu.Unlock()
	}
	lo.mu.Lock()
	labels, ok := lo.labels[key]
	if msg.Action == events.ActionDestroy {
		delete(lo.labels, key)
	}
	lo.mu.Unlock()
	if !ok {
		return ev, false
	}
	for k, v := range labels {
		if _, taken := ev.Attributes[k]; !taken {
			ev.Attributes[k] = v
		}
	}
	return ev, true
}

// lookup fetches the labels of a just-created network or volume; one gone
// again already cannot be matched and is skipped.
func (lo *labelledObjects) lookup(ctx context.Context, typ events.Type, id string) (map[string]string, bool) {
	switch typ {
	case events.NetworkEventType:
		var err error
		defer lo.c.trace("NetworkInspect", id)(&err)
		res, err := lo.c.api.NetworkInspect(ctx, id, client.NetworkInspectOptions{})
		if err != nil {
			lo.c.log.Debug("event of vanished network", zap.String("id", id), zap.Error(err))
			return nil, false
		}
		return res.Network.Labels, true
	case events.VolumeEventType:
		v, err := lo.c.VolumeInspect(ctx, id)
		if err != nil {
			lo.c.log.Debug("event of vanished volume", zap.String("name", id), zap.Error(err))
			return nil, false
		}
		return v.Labels, true
	}
	return nil, false
}
