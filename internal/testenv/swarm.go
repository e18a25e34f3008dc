package testenv

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine/mobydocker"
	"github.com/stack-dev/stack/swarm"
)

// Swarm returns the real engine's swarm API for a test, making the engine
// a single-node swarm manager first (`docker swarm init --advertise-addr
// 127.0.0.1`) and leaving the swarm when the test ends, but only if it
// initialised it: an engine that already was a manager stays one. Test
// processes serialise on a lock file for the swarm's lifetime, so one
// never leaves a swarm another is using; keep swarm tests few and short.
// The test's stack namespaces are undeployed in cleanup too, and their
// volumes on this node removed.
func Swarm(t testing.TB, namespaces ...string) mobydocker.Swarm {
	t.Helper()
	// Swarm mode turned on and off under tests running beside it is the
	// likeliest cause of what was seen here then: Docker 20.10's embedded
	// DNS stopped answering on their networks. So these tests run on their
	// own: make test runs them after the others, with STACK_TEST_SWARM=1.
	if os.Getenv("STACK_TEST_SWARM") != "1" {
		t.Skip("swarm tests run on their own, after the others: STACK_TEST_SWARM=1 (make test does)")
	}
	c := Docker(t)
	unlock, err := lockFile(filepath.Join(os.TempDir(), "stack-testenv-swarm.lock"))
	if err != nil {
		t.Fatalf("swarm lock: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sw := c.Swarm()
	was, err := sw.Manager(ctx)
	if err != nil {
		unlock()
		t.Fatalf("swarm state: %v", err)
	}
	if !was {
		if err := c.SwarmInit(ctx, "127.0.0.1"); err != nil {
			unlock()
			t.Fatalf("swarm init: %v", err)
		}
	}
	t.Cleanup(func() {
		defer unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		for _, namespace := range namespaces {
			if _, err := swarm.Undeploy(ctx, sw, namespace, swarm.UndeployOptions{}); err != nil {
				t.Errorf("undeploy %s: %v", namespace, err)
			}
			removeStackVolumes(ctx, t, c, namespace)
		}
		if !was {
			if err := c.SwarmLeave(ctx); err != nil {
				t.Errorf("swarm leave: %v", err)
			}
		}
	})
	return sw
}

// removeStackVolumes removes the volumes the swarm's tasks created for a
// namespace, once the removed services' containers are gone.
func removeStackVolumes(ctx context.Context, t testing.TB, c *mobydocker.Client, namespace string) {
	vols, err := c.VolumeList(ctx, map[string]string{swarm.LabelNamespace: namespace})
	if err != nil {
		t.Errorf("list volumes of %s: %v", namespace, err)
		return
	}
	for _, v := range vols {
		var err error
		for range 120 {
			if err = c.VolumeRemove(ctx, v.Name); err == nil {
				break
			}
			time.Sleep(250 * time.Millisecond)
		}
		if err != nil {
			t.Errorf("remove volume %s: %v", v.Name, err)
		}
	}
}
