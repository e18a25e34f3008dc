package stacktest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/mobydocker"
	"github.com/stack-dev/stack/reaper"
)

// One engine client, one session and one reaper connection per test
// process: every stack the process brings up belongs to the session, and
// the reaper removes them all 10 s after the process is gone, however it
// ended.
var (
	clientOnce sync.Once
	client     *mobydocker.Client
	clientErr  error

	session = "test-" + randomHex(8)

	reaperOnce sync.Once
	reaperName string
	reaperConn *reaper.Conn // open for the life of the process
	reaperErr  error
)

// docker returns the process's engine client, skipping the test without
// an engine (failing it when CI=true: CI must not pass by skipping).
func docker(t testing.TB) engine.Docker {
	t.Helper()
	clientOnce.Do(func() {
		client, clientErr = mobydocker.New(zap.NewNop())
		if clientErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, clientErr = client.Version(ctx)
	})
	if clientErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("stacktest: a docker engine is required on CI: %v", clientErr)
		}
		t.Skipf("stacktest: no docker engine: %v", clientErr)
	}
	return client
}

// sessionLabels are the labels of a new stack. A stack of the test alone
// is owned by the process's connection to the reaper. A reused stack, or
// one kept after a failure, must outlive the process: it is a session of
// its own, outlive, that expires after ttl instead. With STACK_REAPER=off every stack expires after ttl, for `stack
// reap` to remove what a killed process left.
func sessionLabels(d engine.Docker, outlive string, ttl time.Duration) (map[string]string, error) {
	expires := strconv.FormatInt(time.Now().Add(ttl).Unix(), 10)
	if reaper.Off() {
		return map[string]string{engine.LabelSession: session, engine.LabelSessionExpires: expires}, nil
	}
	name, err := connectReaper(d)
	if err != nil {
		return nil, err
	}
	if outlive != "" {
		return map[string]string{engine.LabelSession: outlive, engine.LabelSessionExpires: expires}, nil
	}
	return map[string]string{engine.LabelSession: session, engine.LabelSessionReaper: name}, nil
}

// connectReaper starts the reaper if needed and connects this process to
// it as the owner of its session, once.
func connectReaper(d engine.Docker) (string, error) {
	reaperOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		bin, err := reaperBinary(ctx)
		if err != nil {
			reaperErr = err
			return
		}
		reaperName, reaperConn, err = ownSession(ctx, d, bin)
		if err == nil {
			go keepOwning(d, bin, reaperConn)
		}
		reaperErr = err
	})
	if reaperErr != nil {
		return "", fmt.Errorf("reaper: %w\nhint: STACK_REAPER=off runs without it (see docs/testing.md)", reaperErr)
	}
	return reaperName, nil
}

// ownSession makes sure a reaper runs and returns a connection owning the
// process's session.
func ownSession(ctx context.Context, d engine.Docker, bin string) (string, *reaper.Conn, error) {
	var last error
	for attempt := 0; attempt < 5; attempt++ {
		name, addr, err := reaper.Ensure(ctx, d, bin)
		if err != nil {
			return "", nil, err
		}
		conn, err := reaper.Connect(ctx, addr)
		if err == nil {
			if err = conn.Own(session); err == nil {
				return name, conn, nil
			}
			conn.Close()
		}
		last = err
		// An idle reaper exits as we connect: start another.
		time.Sleep(200 * time.Millisecond)
	}
	return "", nil, last
}

// keepOwning reconnects when the reaper goes away under a running process
// (someone removed it): a new one, of the same name, would otherwise take
// the session for abandoned.
func keepOwning(d engine.Docker, bin string, conn *reaper.Conn) {
	for {
		conn.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_, next, err := ownSession(ctx, d, bin)
		cancel()
		if err != nil {
			fmt.Fprintf(os.Stderr, "stacktest: reaper gone, and no new one: %v\n", err)
			return
		}
		conn = next
	}
}
