package spec

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDeployKeysLoadFromComposeAndHCL(t *testing.T) {
	one, two := uint64(1), uint64(2)
	delay, window := 5*time.Second, time.Minute
	want := &Deploy{
		Mode: "global", EndpointMode: "dnsrr", Labels: map[string]string{"team": "ml"},
		UpdateConfig:   &UpdateConfig{Parallelism: &one, Delay: 10 * time.Second, FailureAction: "rollback", Monitor: 30 * time.Second, MaxFailureRatio: 0.25, Order: "start-first"},
		RollbackConfig: &UpdateConfig{Parallelism: &two, Order: "stop-first"},
		Placement:      Placement{Constraints: []string{"node.role == worker"}, Preferences: []string{"node.labels.zone"}, MaxReplicas: 3},
		RestartDelay:   &delay, RestartWindow: &window,
	}
	files := map[string]string{
		"compose.yaml": `
name: d
services:
  app:
    image: app:1
    deploy:
      mode: global
      endpoint_mode: dnsrr
      labels: {team: ml}
      restart_policy: {condition: any, delay: 5s, window: 1m}
      update_config: {parallelism: 1, delay: 10s, failure_action: rollback, monitor: 30s, max_failure_ratio: 0.25, order: start-first}
      rollback_config: {parallelism: 2, order: stop-first}
      placement:
        constraints: ["node.role == worker"]
        preferences: [{spread: node.labels.zone}]
        max_replicas_per_node: 3
`,
		"stack.hcl": `
name = "d"
service "app" {
  image   = "app:1"
  restart = "always"
  swarm {
    mode           = "global"
    endpoint_mode  = "dnsrr"
    labels         = { team = "ml" }
    restart_delay  = "5s"
    restart_window = "1m"
    update {
      parallelism       = 1
      delay             = "10s"
      failure_action    = "rollback"
      monitor           = "30s"
      max_failure_ratio = 0.25
      order             = "start-first"
    }
    rollback {
      parallelism = 2
      order       = "stop-first"
    }
    placement {
      constraints           = ["node.role == worker"]
      preferences           = ["node.labels.zone"]
      max_replicas_per_node = 3
    }
  }
}
`,
	}
	for name, body := range files {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			f := filepath.Join(dir, name)
			if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := Load(LoadOptions{Files: []string{f}, WorkingDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Warnings) != 0 {
				t.Errorf("warnings %v: the deploy keys are read by stack deploy", p.Warnings)
			}
			if diff := cmp.Diff(want, p.Services["app"].Deploy); diff != "" {
				t.Errorf("Deploy (-want +got):\n%s", diff)
			}
			if p.Services["app"].Restart != "always" {
				t.Errorf("restart %q", p.Services["app"].Restart)
			}
		})
	}
}

// TestPortModeLoadsAndRendersBothWays reads a host-mode port from the
// compose long syntax and an HCL port block, and writes it back in both
// forms, so stack convert keeps it.
func TestPortModeLoadsAndRendersBothWays(t *testing.T) {
	want := []Port{
		{HostIP: "127.0.0.1", HostPort: "8080", ContainerPort: 80, Protocol: "tcp", Mode: PortModeHost},
		{HostPort: "9090", ContainerPort: 90, Protocol: "tcp"},
	}
	files := map[string]string{
		"compose.yaml": `
name: d
services:
  app:
    image: app:1
    ports:
      - {target: 80, published: "8080", host_ip: 127.0.0.1, mode: host}
      - {target: 90, published: "9090", mode: ingress}
`,
		"stack.hcl": `
name = "d"
service "app" {
  image = "app:1"
  port {
    target    = 80
    published = 8080
    host_ip   = "127.0.0.1"
    mode      = "host"
  }
  port {
    target    = 90
    published = 9090
    mode      = "ingress"
  }
}
`,
	}
	load := func(t *testing.T, name string, body []byte) *Project {
		t.Helper()
		dir := t.TempDir()
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, body, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := Load(LoadOptions{Files: []string{f}, WorkingDir: dir})
		if err != nil {
			t.Fatalf("load %s: %v\n%s", name, err, body)
		}
		return p
	}
	for name, body := range files {
		t.Run(name, func(t *testing.T) {
			p := load(t, name, []byte(body))
			if diff := cmp.Diff(want, p.Services["app"].Ports); diff != "" {
				t.Fatalf("ports (-want +got):\n%s", diff)
			}
			y, err := MarshalCompose(p, "yaml")
			if err != nil {
				t.Fatal(err)
			}
			h, err := MarshalHCL(p)
			if err != nil {
				t.Fatal(err)
			}
			for out, b := range map[string][]byte{"compose.yaml": y, "stack.hcl": h} {
				if diff := cmp.Diff(want, load(t, out, b).Services["app"].Ports); diff != "" {
					t.Errorf("ports after rendering as %s (-want +got):\n%s\n%s", out, diff, b)
				}
			}
		})
	}
}
