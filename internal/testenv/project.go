package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/mobydocker"
)

// LabelTest marks every object a test creates, so leftovers of a crashed
// test run can be found with `docker ps -a --filter label=dev.stack.test`.
const LabelTest = "dev.stack.test"

// Project returns a project name unique to this test and run, safe as a
// Compose project name and as a prefix of Docker object names.
func Project(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	for _, r := range strings.ToLower(t.Name()) {
		if b.Len() >= 24 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		t.Fatalf("random project suffix: %v", err)
	}
	return "t-" + strings.Trim(b.String(), "-") + "-" + hex.EncodeToString(suffix)
}

// Labels returns the labels every object a test creates in project must
// carry, so Cleanup finds it.
func Labels(project string) map[string]string {
	return map[string]string{engine.LabelProject: project, LabelTest: "1"}
}

// Cleanup registers a t.Cleanup that force-removes every container,
// network and volume labelled with project, whether the test passed or not.
func Cleanup(t testing.TB, project string) {
	t.Helper()
	RequireDocker(t)
	t.Cleanup(func() {
		// Not t.Context(): it is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := mobydocker.New(zap.NewNop())
		if err != nil {
			t.Errorf("cleanup of %s: %v", project, err)
			return
		}
		defer c.Close()
		if err := RemoveProject(ctx, c, project); err != nil {
			if staleEndpointsOnly(err) {
				// Docker 20.10 can keep a stale endpoint in a network
				// whose containers are all gone (e.g. after a client was
				// killed mid-request); no API call removes it, only a
				// daemon restart. That is the engine's bug, not the test's.
				t.Logf("cleanup of %s: network kept by the engine: %v", project, err)
				return
			}
			t.Errorf("cleanup of %s: %v", project, err)
		}
	})
}

// staleEndpointsOnly reports whether every error joined in err is a network
// that still "has active endpoints".
func staleEndpointsOnly(err error) bool {
	var errs []error
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		if !strings.Contains(e.Error(), "has active endpoints") {
			return false
		}
	}
	return true
}

// RemoveProject force-removes every container, network and volume labelled
// with project, in that order (networks and volumes are in use until their
// containers are gone).
func RemoveProject(ctx context.Context, d engine.Docker, project string) error {
	filter := engine.Labels{engine.LabelProject: project}
	var errs []error
	containers, err := d.ContainerList(ctx, filter)
	if err != nil {
		return err
	}
	for _, c := range containers {
		if err := d.ContainerRemove(ctx, c.ID, true); err != nil && !errors.Is(err, engine.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	networks, err := d.NetworkList(ctx, filter)
	if err != nil {
		return err
	}
	for _, n := range networks {
		if err := retryBusy(ctx, func() error { return d.NetworkRemove(ctx, n.ID) }); err != nil && !errors.Is(err, engine.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	volumes, err := d.VolumeList(ctx, filter)
	if err != nil {
		return err
	}
	for _, v := range volumes {
		if err := retryBusy(ctx, func() error { return d.VolumeRemove(ctx, v.Name) }); err != nil && !errors.Is(err, engine.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// retryBusy retries fn for a few seconds: right after its containers are
// removed the daemon may still count a network or volume as in use.
func retryBusy(ctx context.Context, fn func() error) error {
	var err error
	for range 20 {
		if err = fn(); err == nil || errors.Is(err, engine.ErrNotFound) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(250 * time.Millisecond):
		}
	}
	return err
}
