package main

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/moby/moby/client"

	"github.com/stack-dev/stack/engine"
)

// Labels on everything the bench creates, stack's and the baseline's alike.
const (
	labelTest = "dev.stack.test"
	// labelRun names one bench run, so cleanup removes exactly its objects.
	labelRun = "dev.stack.bench-run"
)

// removeLabelled force-removes every container and network carrying the
// label key=value, containers first (networks are in use until then).
func removeLabelled(ctx context.Context, api *client.Client, key, value string) error {
	filters := client.Filters{}.Add("label", key+"="+value)
	cs, err := api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: filters})
	if err != nil {
		return fmt.Errorf("list containers %s=%s: %w", key, value, err)
	}
	err = inParallel(len(cs.Items), 8, func(i int) error {
		if _, err := api.ContainerRemove(ctx, cs.Items[i].ID, client.ContainerRemoveOptions{Force: true}); err != nil {
			return fmt.Errorf("remove container %s: %w", cs.Items[i].ID, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	ns, err := api.NetworkList(ctx, client.NetworkListOptions{Filters: filters})
	if err != nil {
		return fmt.Errorf("list networks %s=%s: %w", key, value, err)
	}
	for _, n := range ns.Items {
		if err := removeNetworkRetrying(ctx, api, n.ID); err != nil {
			if isStaleEndpoint(err) {
				// Docker 20.10 can keep a stale endpoint once every
				// container is gone; only a daemon restart clears it. The
				// network holds no container, so the next scenario is not
				// affected: say so and go on.
				log.Printf("network %s kept by the engine (stale endpoint): %v", n.Name, err)
				continue
			}
			return fmt.Errorf("remove network %s: %w", n.Name, err)
		}
	}
	return nil
}

// removeNetworkRetrying retries for up to 15s: right after its containers
// go, a busy daemon may still count the network's endpoints as active.
func removeNetworkRetrying(ctx context.Context, api *client.Client, id string) error {
	var err error
	for range 60 {
		if _, err = api.NetworkRemove(ctx, id, client.NetworkRemoveOptions{}); err == nil {
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

// removeRun removes everything of this bench run.
func removeRun(api *client.Client, run string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return removeLabelled(ctx, api, labelRun, run)
}

// removeProject removes one project of the run, between scenarios or after
// one failed, so the next starts from nothing.
func removeProject(api *client.Client, project string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return removeLabelled(ctx, api, engine.LabelProject, project)
}

// isStaleEndpoint tells whether err is the daemon refusing to remove a
// network for endpoints it still counts; on Docker 20.10 that count can go
// stale once every container is gone (moby#43286), and only a daemon
// restart clears it.
func isStaleEndpoint(err error) bool {
	return err != nil && strings.Contains(err.Error(), "has active endpoints")
}
