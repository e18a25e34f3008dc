package swarm_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/spec"
	"github.com/stack-dev/stack/swarm"
	"github.com/stack-dev/stack/swarm/swarmtest"
)

const realStack = `
name: NS
services:
  api:
    image: IMAGE
    command: ["serve", "--ready-after", "1s"]
    environment: {NAME: api, MODE: one}
    ports: ["PORT:8080"]
    healthcheck:
      test: ["CMD", "/testimage", "health"]
      interval: 1s
      timeout: 2s
      retries: 5
      start_period: 1s
    stop_grace_period: 3s
    volumes: ["data:/data"]
    secrets:
      - source: token
        target: token
    configs:
      - source: app
        target: /etc/app.conf
    labels: {tier: front}
    depends_on:
      init: {condition: service_completed_successfully}
  worker:
    image: IMAGE
    command: ["serve"]
    environment: {NAME: worker}
    deploy:
      replicas: 2
      endpoint_mode: dnsrr
      labels: {team: ml}
      restart_policy: {condition: on-failure, delay: 1s, window: 10s}
      update_config: {parallelism: 1, delay: 1s, order: start-first, failure_action: rollback, monitor: 2s, max_failure_ratio: 0.5}
      rollback_config: {parallelism: 2, order: stop-first}
      placement:
        constraints: ["node.role == manager"]
        preferences: [{spread: node.id}]
        max_replicas_per_node: 3
    depends_on:
      api: {condition: service_healthy}
  agent:
    image: IMAGE
    command: ["serve"]
    deploy: {mode: global}
  init:
    image: IMAGE
    command: ["exit", "0"]
    restart: "no"
volumes:
  data: {}
secrets:
  token: {file: ./token.txt}
configs:
  app: {file: ./app.conf}
`

func writeStack(t *testing.T, dir, ns, image, port string) *spec.Project {
	t.Helper()
	y := strings.NewReplacer("NS", ns, "IMAGE", image, "PORT", port).Replace(realStack)
	for name, body := range map[string]string{"compose.yaml": y, "token.txt": "s3cret", "app.conf": "key=value\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := spec.Load(spec.LoadOptions{Files: []string{filepath.Join(dir, "compose.yaml")}, WorkingDir: dir})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return p
}

func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestDeployOnARealSwarm deploys a stack to a single-node swarm, deploys
// it again unchanged and changed, deploys the same file with `docker
// stack deploy` to compare the services both made, updates that stack in
// place, and undeploys both.
func TestDeployOnARealSwarm(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a swarm")
	}
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("no docker CLI to compare with")
	}
	image := testenv.TestImage(t)
	ns := testenv.Project(t)
	ref := ns + "-cli"
	sw := testenv.Swarm(t, ns, ref)
	ctx := t.Context()
	dir := t.TempDir()

	p := writeStack(t, dir, ns, image, "18931")
	start := time.Now()
	res, err := swarm.Deploy(ctx, sw, p, swarm.DeployOptions{Wait: true, WaitTimeout: 2 * time.Minute})
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	t.Logf("first deploy --wait of 4 services: %v", time.Since(start).Round(time.Millisecond))
	if i, a, w := slices.Index(res.Created, "init"), slices.Index(res.Created, "api"), slices.Index(res.Created, "worker"); len(res.Created) != 4 || i < 0 || !(i < a && a < w) {
		t.Errorf("created %v, want init, api, worker in this order (and agent)", res.Created)
	}
	services := docker(t, "stack", "services", ns, "--format", "{{.Name}} {{.Mode}} {{.Replicas}}")
	for _, want := range []string{ns + "_api replicated 1/1", ns + "_worker replicated 2/2", ns + "_init replicated job 0/1 (1/1 completed)", ns + "_agent global 1/1"} {
		if !strings.Contains(services, want) {
			t.Errorf("docker stack services lacks %q:\n%s", want, services)
		}
	}
	if ls := docker(t, "stack", "ls", "--format", "{{.Name}} {{.Services}}"); !strings.Contains(ls, ns+" 4") {
		t.Errorf("docker stack ls does not list %s with 3 services:\n%s", ns, ls)
	}
	// No IPVS here, so a service's virtual IP carries no traffic; the
	// tasks.<service> name resolves to the tasks themselves.
	ctr := strings.Fields(docker(t, "ps", "-q", "--filter", "label=com.docker.swarm.service.name="+ns+"_worker"))
	if len(ctr) == 0 {
		t.Fatal("no worker container")
	}
	if out := docker(t, "exec", ctr[0], "/testimage", "get", "http://tasks.api:8080/"); !strings.Contains(out, "api") {
		t.Errorf("api over the overlay network answered %q", out)
	}
	if out := docker(t, "exec", strings.Fields(docker(t, "ps", "-q", "--filter", "label=com.docker.swarm.service.name="+ns+"_api"))[0], "/testimage", "cat", "/run/secrets/token"); out != "s3cret" {
		t.Errorf("secret in the task = %q", out)
	}

	before := swarmtest.Versions(t, sw, ns)
	start = time.Now()
	res, err = swarm.Deploy(ctx, sw, writeStack(t, dir, ns, image, "18931"), swarm.DeployOptions{Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("unchanged second deploy --wait: %v", time.Since(start).Round(time.Millisecond))
	if len(res.Created)+len(res.Updated) != 0 || !reflect.DeepEqual(swarmtest.Versions(t, sw, ns), before) {
		t.Errorf("unchanged deploy: %+v, versions %v, were %v", res, swarmtest.Versions(t, sw, ns), before)
	}

	// The same file through the docker CLI, to compare what both made.
	// The docker CLI's schema knows only the list form of depends_on.
	writeStack(t, dir, ref, image, "18932")
	cli, err := os.ReadFile(filepath.Join(dir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cliFile := filepath.Join(dir, "compose-cli.yaml")
	cliYAML := strings.NewReplacer(
		"depends_on:\n      init: {condition: service_completed_successfully}", "depends_on: [init]",
		"depends_on:\n      api: {condition: service_healthy}", "depends_on: [api]",
		"name: "+ref+"\n", "",
	).Replace(string(cli))
	if err := os.WriteFile(cliFile, []byte(cliYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	docker(t, "stack", "deploy", "--resolve-image", "never", "-c", cliFile, ref)
	for _, svc := range []string{"api", "worker", "agent"} {
		ours := inspect(t, ns+"_"+svc, ns)
		theirs := inspect(t, ref+"_"+svc, ref)
		if ours["Image"] != image || ours["Healthcheck"] == nil && svc == "api" || svc != "agent" && len(ours["Env"].([]string)) == 0 {
			t.Errorf("%s: inspect read %v", svc, ours)
		}
		for _, field := range compared {
			if !reflect.DeepEqual(ours[field], theirs[field]) {
				t.Errorf("%s %s:\n stack: %v\ndocker: %v", svc, field, ours[field], theirs[field])
			}
		}
	}

	p = writeStack(t, dir, ns, image, "18931")
	p.Services["worker"].Environment["NAME"] = "worker2"
	if res, err = swarm.Deploy(ctx, sw, p, swarm.DeployOptions{Wait: true, WaitTimeout: 2 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	after := swarmtest.Versions(t, sw, ns)
	for name, v := range after {
		if changed := v != before[name]; changed != (name == ns+"_worker") {
			t.Errorf("%s version %d, was %d: only the worker changed", name, v, before[name])
		}
	}

	// stack deploy updates the stack the docker CLI made in place.
	cliBefore := swarmtest.Versions(t, sw, ref)
	res, err = swarm.Deploy(ctx, sw, writeStack(t, dir, ref, image, "18932"), swarm.DeployOptions{Wait: true, WaitTimeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Created) != 0 || len(res.Updated) != 4 {
		// The docker CLI makes init a replicated service; stack makes it
		// a job, and a service's mode cannot change: it is replaced.
		t.Errorf("deploy over docker stack deploy: %+v, want all four updated, none created", res)
	}
	for name := range cliBefore {
		if _, ok := swarmtest.Versions(t, sw, ref)[name]; !ok {
			t.Errorf("%s is gone after deploying over it", name)
		}
	}

	for _, n := range []string{ns, ref} {
		if _, err := swarm.Undeploy(ctx, sw, n, swarm.UndeployOptions{}); err != nil {
			t.Fatalf("undeploy %s: %v", n, err)
		}
		for _, kind := range []string{"service", "secret", "config"} {
			if out := strings.TrimSpace(docker(t, kind, "ls", "-q", "--filter", "label="+swarm.LabelNamespace+"="+n)); out != "" {
				t.Errorf("%s %ss left after undeploy: %s", n, kind, out)
			}
		}
		// The node drops its copy of a removed overlay network a moment
		// after the manager removed it.
		var out string
		for range 60 {
			if out = strings.TrimSpace(docker(t, "network", "ls", "-q", "--filter", "label="+swarm.LabelNamespace+"="+n)); out == "" {
				break
			}
			time.Sleep(250 * time.Millisecond)
		}
		if out != "" {
			t.Errorf("%s networks left after undeploy: %s", n, out)
		}
	}
}

// compared are the fields of `docker service inspect` both deployers set
// and must agree on. Deliberate differences, left out: secret and config
// names (stack's carry a hash of their content), the spec hash label,
// network targets (IDs of two different stacks' networks) and the mode of
// a service others wait to complete (a job with stack).
var compared = []string{
	"Name", "Labels", "Image", "Args", "Env", "ContainerLabels", "Healthcheck",
	"StopGracePeriod", "Mounts", "SecretTargets", "ConfigTargets", "Aliases",
	"Mode", "RestartPolicy", "Ports", "Resources",
	"UpdateConfig", "RollbackConfig", "Placement", "EndpointMode",
}

func inspect(t *testing.T, service, ns string) map[string]any {
	t.Helper()
	raw := docker(t, "service", "inspect", "--format", "{{json .Spec}}", service)
	raw = strings.ReplaceAll(raw, ns, "NS")
	var s struct {
		Name         string
		Labels       map[string]string
		TaskTemplate struct {
			ContainerSpec struct {
				Image, StopGracePeriod any
				Args, Env              []string
				Labels                 map[string]string
				Healthcheck            any
				Mounts                 []any
				Secrets, Configs       []struct{ File any }
			}
			RestartPolicy any
			Resources     any
			Placement     any
			Networks      []struct{ Aliases []string }
		}
		Mode           map[string]any
		UpdateConfig   any
		RollbackConfig any
		EndpointSpec   struct {
			Mode  string
			Ports []struct {
				Protocol, PublishMode     string
				TargetPort, PublishedPort int
			}
		}
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		t.Fatalf("inspect %s: %v", service, err)
	}
	delete(s.Labels, swarm.LabelSpecHash)
	cs := s.TaskTemplate.ContainerSpec
	var aliases [][]string
	for _, n := range s.TaskTemplate.Networks {
		aliases = append(aliases, n.Aliases)
	}
	var secrets, configs []any
	for _, r := range cs.Secrets {
		secrets = append(secrets, r.File)
	}
	for _, r := range cs.Configs {
		configs = append(configs, r.File)
	}
	ports := s.EndpointSpec.Ports
	for i := range ports {
		ports[i].PublishedPort = 0 // each stack publishes its own port
	}
	return map[string]any{
		"Name": s.Name, "Labels": s.Labels, "Image": cs.Image, "Args": cs.Args, "Env": cs.Env,
		"ContainerLabels": cs.Labels, "Healthcheck": cs.Healthcheck, "StopGracePeriod": cs.StopGracePeriod,
		"Mounts": cs.Mounts, "SecretTargets": secrets, "ConfigTargets": configs, "Aliases": aliases,
		"Mode": s.Mode, "RestartPolicy": s.TaskTemplate.RestartPolicy, "Ports": ports, "Resources": s.TaskTemplate.Resources,
		"UpdateConfig": s.UpdateConfig, "RollbackConfig": s.RollbackConfig, "Placement": s.TaskTemplate.Placement,
		"EndpointMode": s.EndpointSpec.Mode,
	}
}
