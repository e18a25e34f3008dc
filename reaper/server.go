package reaper

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/stack-dev/stack/engine"
)

// Defaults of a Server.
const (
	// DefaultGrace is how long a session outlives its last connection.
	DefaultGrace = 10 * time.Second
	// DefaultInterval is how often the server looks for what to remove.
	DefaultInterval = time.Second
	// DefaultIdle is how long a server with nothing to watch waits
	// before it exits.
	DefaultIdle = 30 * time.Second
)

// Server is the reaper's long-running side. Owners connect over TCP and
// send one line "session ID" per session they own; the server answers
// "ok" and counts the connection as the session's owner until it closes.
type Server struct {
	Docker engine.Docker
	// Name is the reaper's container name: the sessions labelled with it
	// are the ones its connections own.
	Name string
	// Grace, Interval and Idle default to DefaultGrace, DefaultInterval
	// and DefaultIdle.
	Grace, Interval, Idle time.Duration
	Log                   *zap.Logger

	mu      sync.Mutex
	conns   map[string]int       // session -> open connections naming it
	dropped map[string]time.Time // session -> when its last connection closed
	active  int                  // open connections
	started time.Time
}

// Serve accepts owners on ln and removes sessions until ctx ends, or until
// it has had no connection and no session to watch for Idle.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if s.Grace == 0 {
		s.Grace = DefaultGrace
	}
	if s.Interval == 0 {
		s.Interval = DefaultInterval
	}
	if s.Idle == 0 {
		s.Idle = DefaultIdle
	}
	if s.Log == nil {
		s.Log = zap.NewNop()
	}
	s.conns, s.dropped, s.started = map[string]int{}, map[string]time.Time{}, time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				cancel()
				return
			}
			go s.handle(conn)
		}
	}()
	idleSince := time.Now()
	tick := time.NewTicker(s.Interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		watching, err := s.pass(ctx)
		if err != nil {
			s.Log.Warn("reap pass", zap.Error(err))
			idleSince = time.Now()
			continue
		}
		s.mu.Lock()
		if s.active > 0 {
			watching = true
		}
		s.mu.Unlock()
		if watching {
			idleSince = time.Now()
		} else if time.Since(idleSince) >= s.Idle {
			s.Log.Info("nothing to watch; exiting")
			return nil
		}
	}
}

// pass removes what is due and reports whether anything is left to watch.
func (s *Server) pass(ctx context.Context) (watching bool, err error) {
	running, err := RunningReapers(ctx, s.Docker)
	if err != nil {
		return false, err
	}
	reaped, err := Pass(ctx, s.Docker, func(sess *Session, now time.Time) string {
		reason := s.decide(sess, now, running)
		if reason == "" && (sess.Reaper == s.Name || !sess.Expires.IsZero()) {
			watching = true
		}
		return reason
	}, false)
	for _, r := range reaped {
		if r.Err != nil {
			s.Log.Warn("remove session", zap.String("session", r.Session.ID), zap.Error(r.Err))
			continue
		}
		s.Log.Info("removed session", zap.String("session", r.Session.ID), zap.String("reason", r.Reason),
			zap.String("objects", r.Session.String()))
		s.mu.Lock()
		delete(s.dropped, r.Session.ID)
		s.mu.Unlock()
	}
	return watching, err
}

func (s *Server) decide(sess *Session, now time.Time, running map[string]bool) string {
	if sess.Expired(now) {
		return "expired"
	}
	switch {
	case sess.Reaper == "":
		return ""
	case sess.Reaper != s.Name:
		// Another reaper's session: its owner cannot be connected once
		// that reaper is gone.
		if !running[sess.Reaper] && now.Sub(s.started) >= s.Grace {
			return "owner gone (its reaper is not running)"
		}
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns[sess.ID] > 0 {
		return ""
	}
	since, ok := s.dropped[sess.ID]
	if !ok {
		// Not seen since this reaper started: its owner had the time to
		// come back and did not.
		since = s.started
	}
	if now.Sub(since) >= s.Grace {
		return "owner gone"
	}
	return ""
}

func (s *Server) handle(conn net.Conn) {
	defer conn.Close()
	s.mu.Lock()
	s.active++
	s.mu.Unlock()
	var owned []string
	defer func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.active--
		now := time.Now()
		for _, id := range owned {
			s.conns[id]--
			if s.conns[id] <= 0 {
				delete(s.conns, id)
				s.dropped[id] = now
			}
		}
	}()
	r := bufio.NewScanner(conn)
	for r.Scan() {
		id, ok := strings.CutPrefix(strings.TrimSpace(r.Text()), "session ")
		if !ok || id == "" {
			conn.Write([]byte("error: want \"session ID\"\n"))
			continue
		}
		s.mu.Lock()
		s.conns[id]++
		delete(s.dropped, id)
		s.mu.Unlock()
		owned = append(owned, id)
		if _, err := conn.Write([]byte("ok\n")); err != nil {
			return
		}
	}
	if err := r.Err(); err != nil && !errors.Is(err, net.ErrClosed) {
		s.Log.Debug("owner connection", zap.Error(err))
	}
}
