// Package reaper removes what test sessions leave behind: every container,
// network and volume labelled with a session (see [engine.LabelSession])
// goes once the session's owner is gone or its time to live has passed,
// even when the owner was killed with SIGKILL.
//
// The reaper is stack itself, run in a container ([Ensure]) built FROM
// scratch with the static stack binary and the Docker socket mounted, as
// Ryuk is for testcontainers. An owner connects to it over loopback
// ([Connect]) and names its session; a [Server] removes the session 10 s
// after the last connection naming it dropped. [Pass] does one pass by hand.
package reaper

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stack-dev/stack/engine"
)

// LabelReaper marks the reaper's own container and image.
const LabelReaper = "dev.stack.reaper"

// Project is the project label of reaper containers, so `stack ls` and
// Docker Desktop show them as one project.
const Project = "stack-reaper"

// Session is what one session has on the engine now.
type Session struct {
	ID string
	// Reaper is the name of the reaper container whose connections own the
	// session; "" for a session that only its expiry ends.
	Reaper string
	// Expires is when the session may go whatever its owner; zero: never.
	Expires    time.Time
	Containers []engine.Container
	Networks   []engine.Network
	Volumes    []engine.Volume
}

// Expired reports whether the session's time to live has passed at now.
func (s *Session) Expired(now time.Time) bool {
	return !s.Expires.IsZero() && !now.Before(s.Expires)
}

// String says what the session holds: "3 containers, 1 network, 0 volumes".
func (s *Session) String() string {
	return fmt.Sprintf("%s, %s, %s", plural(len(s.Containers), "container"),
		plural(len(s.Networks), "network"), plural(len(s.Volumes), "volume"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// Sessions lists every session that has objects on the engine, by ID.
func Sessions(ctx context.Context, d engine.Docker) (map[string]*Session, error) {
	filter := engine.Labels{engine.LabelSession: ""}
	out := map[string]*Session{}
	get := func(labels map[string]string) *Session {
		id := labels[engine.LabelSession]
		s := out[id]
		if s == nil {
			s = &Session{ID: id}
			out[id] = s
		}
		// The labels of every object of a session are the same; an object
		// that says more (a later `up --ttl`) wins.
		if r := labels[engine.LabelSessionReaper]; r != "" {
			s.Reaper = r
		}
		if n, err := strconv.ParseInt(labels[engine.LabelSessionExpires], 10, 64); err == nil {
			if t := time.Unix(n, 0); t.After(s.Expires) {
				s.Expires = t
			}
		}
		return s
	}
	containers, err := d.ContainerList(ctx, filter)
	if err != nil {
		return nil, fmt.Errorf("list session containers: %w", err)
	}
	for _, c := range containers {
		s := get(c.Labels)
		s.Containers = append(s.Containers, c)
	}
	networks, err := d.NetworkList(ctx, filter)
	if err != nil {
		return nil, fmt.Errorf("list session networks: %w", err)
	}
	for _, n := range networks {
		s := get(n.Labels)
		s.Networks = append(s.Networks, n)
	}
	volumes, err := d.VolumeList(ctx, filter)
	if err != nil {
		return nil, fmt.Errorf("list session volumes: %w", err)
	}
	for _, v := range volumes {
		s := get(v.Labels)
		s.Volumes = append(s.Volumes, v)
	}
	return out, nil
}

// Remove force-removes the session's containers, then its networks and
// volumes (in use until their containers are gone). A container another
// reaper is removing at the same moment (the daemon's "removal already in
// progress" conflict) is waited for until it is gone.
func Remove(ctx context.Context, d engine.Docker, s *Session) error {
	var errs []error
	for _, c := range s.Containers {
		if err := retryBusy(ctx, func() error { return d.ContainerRemove(ctx, c.ID, true) }); err != nil {
			errs = append(errs, fmt.Errorf("remove container %s: %w", c.Name, err))
		}
	}
	for _, n := range s.Networks {
		if err := retryBusy(ctx, func() error { return d.NetworkRemove(ctx, n.ID) }); err != nil {
			errs = append(errs, fmt.Errorf("remove network %s: %w", n.Name, err))
		}
	}
	for _, v := range s.Volumes {
		if err := retryBusy(ctx, func() error { return d.VolumeRemove(ctx, v.Name) }); err != nil {
			errs = append(errs, fmt.Errorf("remove volume %s: %w", v.Name, err))
		}
	}
	return errors.Join(errs...)
}

// retryBusy retries fn for a few seconds: right after its containers are
// removed the daemon may still count a network or volume as in use, and a
// container being removed by someone else cannot be removed again.
func retryBusy(ctx context.Context, fn func() error) error {
	var err error
	for range 20 {
		if err = fn(); err == nil || errors.Is(err, engine.ErrNotFound) {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(250 * time.Millisecond):
		}
	}
	return err
}

// Reaped is a session a pass removed (or, dry, would remove).
type Reaped struct {
	Session *Session
	Reason  string
	Err     error
}

// Decide says why a session should go, or "" to keep it.
type Decide func(s *Session, now time.Time) string

// Pass removes every session decide picks, in ID order, and returns them.
// With dryRun it only returns them.
func Pass(ctx context.Context, d engine.Docker, decide Decide, dryRun bool) ([]Reaped, error) {
	sessions, err := Sessions(ctx, d)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(sessions))
	for id := range sessions {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	now := time.Now()
	var out []Reaped
	for _, id := range ids {
		s := sessions[id]
		reason := decide(s, now)
		if reason == "" {
			continue
		}
		r := Reaped{Session: s, Reason: reason}
		if !dryRun {
			r.Err = Remove(ctx, d, s)
		}
		out = append(out, r)
	}
	return out, nil
}

// ByHand is the decision of `stack reap`: a session goes once it expired,
// or once the reaper whose connections own it is not running (no owner can
// be connected then).
func ByHand(ctx context.Context, d engine.Docker) (Decide, error) {
	running, err := RunningReapers(ctx, d)
	if err != nil {
		return nil, err
	}
	return func(s *Session, now time.Time) string {
		switch {
		case s.Expired(now):
			return "expired " + s.Expires.Format(time.RFC3339)
		case s.Reaper != "" && !running[s.Reaper]:
			return "owner gone (reaper " + s.Reaper + " is not running)"
		}
		return ""
	}, nil
}

// RunningReapers are the names of the reaper containers that run now.
func RunningReapers(ctx context.Context, d engine.Docker) (map[string]bool, error) {
	cs, err := d.ContainerList(ctx, engine.Labels{LabelReaper: ""})
	if err != nil {
		return nil, fmt.Errorf("list reapers: %w", err)
	}
	running := map[string]bool{}
	for _, c := range cs {
		if c.State == "running" {
			running[strings.TrimPrefix(c.Name, "/")] = true
		}
	}
	return running, nil
}
