package swarm_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/spec"
	"github.com/stack-dev/stack/swarm"
)

const twoNodeStack = `
name: NS
services:
  web:
    image: IMAGE
    command: ["serve"]
    environment: {NAME: "{{.Node.Hostname}}"}
    healthcheck:
      test: ["CMD", "/testimage", "health"]
      interval: 1s
      retries: 30
    deploy:
      replicas: 4
      endpoint_mode: dnsrr
      placement:
        preferences: [{spread: node.id}]
  probe:
    image: IMAGE
    command: ["serve"]
    deploy:
      placement:
        constraints: ["node.role == manager"]
`

// TestDeployAcrossTwoNodesOfASwarm spreads a service's replicas over a
// manager and a worker, reaches the worker's tasks over the overlay
// network from the manager, drains the worker and sees its tasks move.
// It needs a swarm of two nodes: the engine (the manager) and a worker
// whose engine answers at STACK_TEST_SWARM_WORKER (a DOCKER_HOST value),
// which gets the test image from the manager.
func TestDeployAcrossTwoNodesOfASwarm(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a swarm")
	}
	worker := os.Getenv("STACK_TEST_SWARM_WORKER")
	if worker == "" {
		t.Skip("needs a worker node: STACK_TEST_SWARM_WORKER=<its DOCKER_HOST>")
	}
	image := testenv.TestImage(t)
	ns := testenv.Project(t)
	sw := testenv.Swarm(t, ns)
	ctx := t.Context()

	workerID := strings.TrimSpace(docker(t, "--host", worker, "info", "--format", "{{.Swarm.NodeID}}"))
	workerName := strings.TrimSpace(docker(t, "node", "inspect", "--format", "{{.Description.Hostname}}", workerID))
	managerName := strings.TrimSpace(docker(t, "info", "--format", "{{.Name}}"))
	if workerName == "" || workerName == managerName {
		t.Fatalf("worker %s has hostname %q, the manager %q: want two different names", workerID, workerName, managerName)
	}
	// The worker may be drained when no test uses it (.ci/swarm-nodes).
	availability := strings.TrimSpace(docker(t, "node", "inspect", "--format", "{{.Spec.Availability}}", workerID))
	docker(t, "node", "update", "--availability", "active", workerID)
	t.Cleanup(func() { _ = exec.Command("docker", "node", "update", "--availability", availability, workerID).Run() })
	save := exec.Command("sh", "-c", "docker save "+image+" | docker --host "+worker+" load -q")
	if out, err := save.CombinedOutput(); err != nil {
		t.Fatalf("copying the test image to the worker: %v\n%s", err, out)
	}

	dir := t.TempDir()
	f := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(f, []byte(strings.NewReplacer("NS", ns, "IMAGE", image).Replace(twoNodeStack)), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := spec.Load(spec.LoadOptions{Files: []string{f}, WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := swarm.Deploy(ctx, sw, p, swarm.DeployOptions{Wait: true, WaitTimeout: 2 * time.Minute}); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	t.Logf("deploy --wait of 5 tasks over 2 nodes: %v", time.Since(start).Round(time.Millisecond))
	perNode := func() map[string]int {
		rows, err := swarm.Ps(ctx, sw, ns, swarm.PsOptions{Services: []string{"web"}})
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, r := range rows {
			if r.CurrentState == swarm.TaskRunning {
				n[r.Node]++
			}
		}
		return n
	}
	if n := perNode(); n[managerName] != 2 || n[workerName] != 2 {
		t.Errorf("web's running tasks by node %v, want 2 on %s and 2 on %s", n, managerName, workerName)
	}

	// From the manager's probe, web's name resolves to all four tasks;
	// some answer from the worker, over the overlay network.
	probe := strings.Fields(docker(t, "ps", "-q", "--filter", "label=com.docker.swarm.service.name="+ns+"_probe"))
	if len(probe) != 1 {
		t.Fatalf("probe containers on the manager: %v", probe)
	}
	seen := map[string]bool{}
	for i := 0; i < 40 && len(seen) < 2; i++ {
		out := docker(t, "exec", probe[0], "/testimage", "get", "http://web:8080/")
		_, name, _ := strings.Cut(strings.TrimSpace(out), " name=")
		seen[name] = true
	}
	if !seen[workerName] || !seen[managerName] {
		t.Errorf("web answered the probe from %v, want both %s and %s", seen, managerName, workerName)
	}

	// Drained, the worker's tasks move to the manager.
	start = time.Now()
	docker(t, "node", "update", "--availability", "drain", workerID)
	deadline := time.Now().Add(2 * time.Minute)
	for n := perNode(); n[managerName] != 4 || n[workerName] != 0; n = perNode() {
		if time.Now().After(deadline) {
			t.Fatalf("after draining %s, web's running tasks by node: %v, want all 4 on %s", workerName, n, managerName)
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("drain of %s until its 2 tasks ran on %s: %v", workerName, managerName, time.Since(start).Round(time.Millisecond))
}
