package reaper_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
	"github.com/stack-dev/stack/reaper"
)

// addSession gives session a container, a network and a volume, labelled
// with labels.
func addSession(t *testing.T, d engine.Docker, name string, labels map[string]string) {
	t.Helper()
	ctx := context.Background()
	if _, err := d.NetworkCreate(ctx, engine.NetworkSpec{Name: name + "_default", Labels: labels}); err != nil {
		t.Fatal(err)
	}
	if err := d.VolumeCreate(ctx, engine.VolumeSpec{Name: name + "_data", Labels: labels}); err != nil {
		t.Fatal(err)
	}
	id, err := d.ContainerCreate(ctx, engine.ContainerSpec{Name: name + "-web-1", Image: "img", Labels: labels,
		Networks: []engine.NetworkAttachment{{Network: name + "_default"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.ContainerStart(ctx, id); err != nil {
		t.Fatal(err)
	}
}

// left counts the objects of session.
func left(t *testing.T, d engine.Docker, session string) int {
	t.Helper()
	all, err := reaper.Sessions(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	s := all[session]
	if s == nil {
		return 0
	}
	return len(s.Containers) + len(s.Networks) + len(s.Volumes)
}

func newFake(t *testing.T) *dockerfake.Fake {
	t.Helper()
	d := dockerfake.New()
	d.AddImage(engine.Image{ID: "sha256:img", RepoTags: []string{"img"}})
	return d
}

func TestByHand(t *testing.T) {
	d := newFake(t)
	past := strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)
	future := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	addSession(t, d, "expired", map[string]string{engine.LabelSession: "a", engine.LabelSessionExpires: past})
	addSession(t, d, "living", map[string]string{engine.LabelSession: "b", engine.LabelSessionExpires: future})
	addSession(t, d, "orphan", map[string]string{engine.LabelSession: "c", engine.LabelSessionReaper: "stack-reaper-gone"})
	addSession(t, d, "nosession", map[string]string{engine.LabelProject: "x"})
	ctx := context.Background()
	decide, err := reaper.ByHand(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	dry, err := reaper.Pass(ctx, d, decide, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(dry) != 2 || dry[0].Session.ID != "a" || dry[1].Session.ID != "c" {
		t.Fatalf("dry run picked %+v, want sessions a and c", dry)
	}
	if left(t, d, "a") != 3 {
		t.Fatal("a dry run removed something")
	}
	if got := dry[0].Session.String(); got != "1 container, 1 network, 1 volume" {
		t.Errorf("session summary %q", got)
	}
	if _, err := reaper.Pass(ctx, d, decide, false); err != nil {
		t.Fatal(err)
	}
	for session, want := range map[string]int{"a": 0, "b": 3, "c": 0} {
		if got := left(t, d, session); got != want {
			t.Errorf("session %s has %d objects left, want %d", session, got, want)
		}
	}
	if cs, _ := d.ContainerList(ctx, engine.Labels{engine.LabelProject: "x"}); len(cs) != 1 {
		t.Error("reap touched a container of no session")
	}
}

// removing is an engine where someone else is already removing each
// container: the first remove of it is the daemon's conflict, and it is
// gone a moment later.
type removing struct {
	engine.Docker
	seen map[string]bool
}

func (r *removing) ContainerRemove(ctx context.Context, id string, force bool) error {
	if !r.seen[id] {
		r.seen[id] = true
		go r.Docker.ContainerRemove(context.Background(), id, force)
		return fmt.Errorf("remove container %s: %w: removal of container %s is already in progress", id, engine.ErrConflict, id)
	}
	return r.Docker.ContainerRemove(ctx, id, force)
}

func TestRemoveWaitsForAnotherReapersRemoval(t *testing.T) {
	d := newFake(t)
	past := strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)
	addSession(t, d, "expired", map[string]string{engine.LabelSession: "a", engine.LabelSessionExpires: past})
	ctx := context.Background()
	decide, err := reaper.ByHand(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	reaped, err := reaper.Pass(ctx, &removing{Docker: d, seen: map[string]bool{}}, decide, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(reaped) != 1 || reaped[0].Err != nil {
		t.Fatalf("reaped %+v, want session a removed without error", reaped)
	}
	if n := left(t, d, "a"); n != 0 {
		t.Errorf("session a has %d objects left", n)
	}
}

// TestServer: a session lives while a connection owns it and goes a grace
// period after the last one closed; one nobody claims goes a grace period
// after the reaper started; the server exits once idle.
func TestServer(t *testing.T) {
	d := newFake(t)
	owned := map[string]string{engine.LabelSession: "owned", engine.LabelSessionReaper: "me"}
	addSession(t, d, "owned", owned)
	addSession(t, d, "twice", map[string]string{engine.LabelSession: "twice", engine.LabelSessionReaper: "me"})
	addSession(t, d, "unclaimed", map[string]string{engine.LabelSession: "unclaimed", engine.LabelSessionReaper: "me"})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const grace = 300 * time.Millisecond
	s := &reaper.Server{Docker: d, Name: "me", Grace: grace, Interval: 20 * time.Millisecond, Idle: 200 * time.Millisecond}
	done := make(chan error, 1)
	go func() { done <- s.Serve(context.Background(), ln) }()

	ctx := context.Background()
	connect := func(session string) *reaper.Conn {
		c, err := reaper.Connect(ctx, ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Own(session); err != nil {
			t.Fatal(err)
		}
		return c
	}
	a := connect("owned")
	b1, b2 := connect("twice"), connect("twice")
	time.Sleep(3 * grace)
	if left(t, d, "owned") != 3 || left(t, d, "twice") != 3 {
		t.Fatal("an owned session was removed")
	}
	if left(t, d, "unclaimed") != 0 {
		t.Error("a session nobody claimed outlived the grace period")
	}
	a.Close()
	b1.Close()
	time.Sleep(grace / 3)
	if left(t, d, "owned") != 3 {
		t.Error("a session went before its grace period ended")
	}
	time.Sleep(grace)
	if left(t, d, "owned") != 0 {
		t.Error("a session outlived its grace period")
	}
	if left(t, d, "twice") != 3 {
		t.Error("a session went while one of its two connections was open")
	}
	b2.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the idle server did not exit")
	}
	if left(t, d, "twice") != 0 {
		t.Error("the server exited before removing a session")
	}
}
