package swarm_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/spec"
	"github.com/stack-dev/stack/swarm"
	"github.com/stack-dev/stack/swarm/swarmfake"
)

const base = `
name: demo
services:
  db:
    image: img
    healthcheck:
      test: ["CMD", "/testimage", "health"]
      interval: 1s
    volumes: ["data:/data"]
    secrets: [token]
    ports: ["8080:8080"]
  migrate:
    image: img
    command: ["exit", "0"]
    restart: "no"
    depends_on:
      db: {condition: service_healthy}
  web:
    image: img
    environment: {MODE: one}
    configs:
      - source: app
        target: /etc/app.conf
    deploy: {replicas: 2}
    depends_on:
      migrate: {condition: service_completed_successfully}
#EXTRA
volumes:
  data: {}
secrets:
  token: {file: ./token.txt}
configs:
  app: {content: "hello"}
`

func load(t *testing.T, dir, yaml string) *spec.Project {
	t.Helper()
	f := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(f, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "token.txt")); err != nil {
		if err := os.WriteFile(filepath.Join(dir, "token.txt"), []byte("s3cret"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p, err := spec.Load(spec.LoadOptions{Files: []string{f}, WorkingDir: dir})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return p
}

func TestDeployCreatesInDependencyOrderThenChangesNothing(t *testing.T) {
	dir := t.TempDir()
	f := swarmfake.New()
	res, err := swarm.Deploy(t.Context(), f, load(t, dir, base), swarm.DeployOptions{Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"db", "migrate", "web"}; !slices.Equal(res.Created, want) {
		t.Errorf("created %v, want %v (dependency order)", res.Created, want)
	}
	svcs, _ := f.ServiceList(t.Context(), map[string]string{swarm.LabelNamespace: "demo"})
	byName := map[string]swarm.Service{}
	for _, s := range svcs {
		byName[s.Spec.Name] = s
	}
	if len(byName) != 3 {
		t.Fatalf("services %v", byName)
	}
	if m := byName["demo_migrate"].Spec.Mode; m != swarm.ModeReplicatedJob {
		t.Errorf("migrate mode %q, want a replicated job (a dependent waits for it to complete)", m)
	}
	web := byName["demo_web"].Spec
	if *web.Replicas != 2 || web.Labels[swarm.LabelImage] != "img" || web.Networks[0].Target != "demo_default" {
		t.Errorf("web spec %+v", web)
	}
	if !strings.HasPrefix(web.Configs[0].Name, "demo_app_") || web.Configs[0].Target != "/etc/app.conf" {
		t.Errorf("web config %+v, want demo_app_<hash> at /etc/app.conf", web.Configs[0])
	}
	db := byName["demo_db"].Spec
	if len(db.Ports) != 1 || db.Ports[0].Published != 8080 || db.Ports[0].Mode != "ingress" {
		t.Errorf("db ports %+v", db.Ports)
	}
	if db.Mounts[0].Source != "demo_data" || db.Mounts[0].VolumeLabels[swarm.LabelNamespace] != "demo" {
		t.Errorf("db mount %+v", db.Mounts[0])
	}

	before := map[string]uint64{}
	for _, s := range svcs {
		before[s.Spec.Name] = s.Version
	}
	res, err = swarm.Deploy(t.Context(), f, load(t, dir, base), swarm.DeployOptions{Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Created)+len(res.Updated) != 0 || len(res.Unchanged) != 3 {
		t.Errorf("second deploy: %+v, want everything unchanged", res)
	}
	if f.Calls["ServiceUpdate"] != 0 {
		t.Errorf("second deploy made %d service updates", f.Calls["ServiceUpdate"])
	}

	res, err = swarm.Deploy(t.Context(), f, load(t, dir, strings.Replace(base, "MODE: one", "MODE: two", 1)), swarm.DeployOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Updated, []string{"web"}) || len(res.Unchanged) != 2 {
		t.Errorf("changed web: %+v, want only web updated", res)
	}
	svcs, _ = f.ServiceList(t.Context(), map[string]string{swarm.LabelNamespace: "demo"})
	for _, s := range svcs {
		grew := s.Version > before[s.Spec.Name]
		if grew != (s.Spec.Name == "demo_web") {
			t.Errorf("%s version %d (was %d)", s.Spec.Name, s.Version, before[s.Spec.Name])
		}
	}
}

func TestDeployChangedSecretRollsItsServices(t *testing.T) {
	dir := t.TempDir()
	f := swarmfake.New()
	if _, err := swarm.Deploy(t.Context(), f, load(t, dir, base), swarm.DeployOptions{}); err != nil {
		t.Fatal(err)
	}
	old, _ := f.SecretList(t.Context(), map[string]string{swarm.LabelNamespace: "demo"})
	if err := os.WriteFile(filepath.Join(dir, "token.txt"), []byte("rotated"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := swarm.Deploy(t.Context(), f, load(t, dir, base), swarm.DeployOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Updated, []string{"db"}) {
		t.Errorf("updated %v, want db (it uses the secret)", res.Updated)
	}
	now, _ := f.SecretList(t.Context(), map[string]string{swarm.LabelNamespace: "demo"})
	if len(old) != 1 || len(now) != 1 || old[0].Name == now[0].Name || !strings.HasPrefix(now[0].Name, "demo_token_") {
		t.Errorf("secrets before %v, after %v: want one, renamed with the new content's hash, the old one removed", old, now)
	}
}

func TestDeployRefusesUnsupportedKeysBeforeCreatingAnything(t *testing.T) {
	f := swarmfake.New()
	p := load(t, t.TempDir(), strings.Replace(base, "#EXTRA", `
  admin:
    image: img
    privileged: true
    network_mode: host
    post_start:
      - command: ["true"]
`, 1))
	_, err := swarm.Deploy(t.Context(), f, p, swarm.DeployOptions{})
	var ne *swarm.NotesError
	if !errors.As(err, &ne) {
		t.Fatalf("err = %v, want a NotesError", err)
	}
	for _, want := range []string{"services.admin.privileged: refused", "services.admin.network_mode: refused", "services.admin.post_start: refused: a swarm runs no hooks", "compose.yaml:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if len(f.Calls) != 0 {
		t.Errorf("calls %v, want nothing created", f.Calls)
	}
}

func TestDryRunListsNotesAndChangesNothing(t *testing.T) {
	f := swarmfake.New()
	p := load(t, t.TempDir(), strings.Replace(strings.Replace(base, `ports: ["8080:8080"]`, `ports: ["127.0.0.1:8080:8080"]`, 1), "image: img\n    healthcheck:", "image: img\n    container_name: www\n    healthcheck:", 1))
	var out strings.Builder
	res, err := swarm.Deploy(t.Context(), f, p, swarm.DeployOptions{DryRun: true, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"services.db.ports[0]: ignored host_ip 127.0.0.1", "services.db.container_name: ignored", "services.web.depends_on.migrate.condition: handled", "create service demo_web", "create secret demo_token_"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out.String())
		}
	}
	if len(res.Created) != 3 || len(f.Calls) != 0 {
		t.Errorf("dry run: %+v, calls %v", res, f.Calls)
	}
}

func TestDryRunWithRefusedKeysListsTheOthersToo(t *testing.T) {
	f := swarmfake.New()
	p := load(t, t.TempDir(), strings.Replace(strings.Replace(base, "image: img\n    healthcheck:", "image: img\n    container_name: www\n    healthcheck:", 1), "#EXTRA", `
  admin:
    image: img
    privileged: true
`, 1))
	var out strings.Builder
	_, err := swarm.Deploy(t.Context(), f, p, swarm.DeployOptions{DryRun: true, Out: &out})
	var ne *swarm.NotesError
	if !errors.As(err, &ne) || !strings.Contains(err.Error(), "services.admin.privileged: refused") {
		t.Fatalf("err = %v, want a NotesError naming services.admin.privileged", err)
	}
	for _, want := range []string{"services.db.container_name: ignored", "services.web.depends_on.migrate.condition: handled"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "refused") || strings.Contains(out.String(), "create ") {
		t.Errorf("dry run output has the refusal or a create, which only the error should say:\n%s", out.String())
	}
	if len(f.Calls) != 0 {
		t.Errorf("calls %v, want nothing created", f.Calls)
	}
}

func TestUndeployDryRunRemovesNothing(t *testing.T) {
	f := swarmfake.New()
	if _, err := swarm.Deploy(t.Context(), f, load(t, t.TempDir(), base), swarm.DeployOptions{}); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	removed, err := swarm.Undeploy(t.Context(), f, "demo", swarm.UndeployOptions{DryRun: true, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 6 { // 3 services, a secret, a config, a network
		t.Errorf("dry run would remove %v, want 6 objects", removed)
	}
	for _, want := range []string{"remove service demo_web", "remove secret demo_token_", "remove config demo_app_", "remove network demo_default"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out.String())
		}
	}
	ns := map[string]string{swarm.LabelNamespace: "demo"}
	s, _ := f.ServiceList(t.Context(), ns)
	n, _ := f.NetworkList(t.Context(), ns)
	sec, _ := f.SecretList(t.Context(), ns)
	cfg, _ := f.ConfigList(t.Context(), ns)
	if len(s) != 3 || len(n) != 1 || len(sec) != 1 || len(cfg) != 1 {
		t.Errorf("dry run removed something: services %v, networks %v, secrets %v, configs %v", s, n, sec, cfg)
	}
}

func TestUndeployNeedsAManager(t *testing.T) {
	f := swarmfake.New()
	f.SetManager(false)
	_, err := swarm.Undeploy(t.Context(), f, "demo", swarm.UndeployOptions{})
	if !errors.Is(err, swarm.ErrNotManager) || !strings.Contains(err.Error(), "docker swarm init") {
		t.Errorf("err = %v, want ErrNotManager with the docker swarm init hint", err)
	}
}

func TestDryRunOnANonManagerSaysADeployWouldFail(t *testing.T) {
	f := swarmfake.New()
	f.SetManager(false)
	var out strings.Builder
	if _, err := swarm.Deploy(t.Context(), f, load(t, t.TempDir(), base), swarm.DeployOptions{DryRun: true, Out: &out}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "not a swarm manager, so a deploy would fail: make it one with `docker swarm init`") || !strings.Contains(out.String(), "create service demo_web") {
		t.Errorf("dry run on a non-manager said:\n%s", out.String())
	}
	f.SetManager(true)
	out.Reset()
	if _, err := swarm.Deploy(t.Context(), f, load(t, t.TempDir(), base), swarm.DeployOptions{DryRun: true, Out: &out}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "not a swarm manager") {
		t.Errorf("dry run on a manager says it is none:\n%s", out.String())
	}
}

func TestDeployNeedsAManager(t *testing.T) {
	f := swarmfake.New()
	f.SetManager(false)
	_, err := swarm.Deploy(t.Context(), f, load(t, t.TempDir(), base), swarm.DeployOptions{})
	if !errors.Is(err, swarm.ErrNotManager) || !strings.Contains(err.Error(), "docker swarm init") {
		t.Errorf("err = %v, want ErrNotManager with the docker swarm init hint", err)
	}
}

func TestPruneAndUndeploy(t *testing.T) {
	dir := t.TempDir()
	f := swarmfake.New()
	if _, err := swarm.Deploy(t.Context(), f, load(t, dir, strings.Replace(base, "#EXTRA", `
  extra:
    image: img
`, 1)), swarm.DeployOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err := swarm.Deploy(t.Context(), f, load(t, dir, base), swarm.DeployOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Removed, []string{"demo_extra"}) {
		t.Errorf("pruned %v, want demo_extra", res.Removed)
	}
	removed, err := swarm.Undeploy(t.Context(), f, "demo", swarm.UndeployOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 6 { // 3 services, a secret, a config, a network
		t.Errorf("undeploy removed %v", removed)
	}
	ns := map[string]string{swarm.LabelNamespace: "demo"}
	s, _ := f.ServiceList(t.Context(), ns)
	n, _ := f.NetworkList(t.Context(), ns)
	sec, _ := f.SecretList(t.Context(), ns)
	cfg, _ := f.ConfigList(t.Context(), ns)
	if len(s)+len(n)+len(sec)+len(cfg) != 0 {
		t.Errorf("left behind: %v %v %v %v", s, n, sec, cfg)
	}
}

func TestConvertDeployKeys(t *testing.T) {
	tests := []struct {
		name  string
		svc   string
		check func(t *testing.T, s swarm.ServiceSpec, notes []swarm.Note)
	}{
		{"global", "deploy: {mode: global}", func(t *testing.T, s swarm.ServiceSpec, _ []swarm.Note) {
			if s.Mode != swarm.ModeGlobal || s.Replicas != nil {
				t.Errorf("mode %q replicas %v", s.Mode, s.Replicas)
			}
		}},
		{"dnsrr publishes in host mode", "ports: [\"9000:9000\"]\n    deploy: {endpoint_mode: dnsrr}", func(t *testing.T, s swarm.ServiceSpec, notes []swarm.Note) {
			if s.EndpointMode != "dnsrr" || s.Ports[0].Mode != "host" {
				t.Errorf("endpoint %q ports %+v", s.EndpointMode, s.Ports)
			}
			if len(notes) != 1 || !strings.Contains(notes[0].String(), "services.app.deploy.endpoint_mode: handled") {
				t.Errorf("notes %v", notes)
			}
		}},
		{"ports publish through the routing mesh unless mode host", "ports:\n      - \"8000:8000\"\n      - {target: 9000, published: \"9001\", mode: host}", func(t *testing.T, s swarm.ServiceSpec, notes []swarm.Note) {
			want := []swarm.Port{{Protocol: "tcp", Target: 8000, Published: 8000, Mode: swarm.PortIngress}, {Protocol: "tcp", Target: 9000, Published: 9001, Mode: swarm.PortHost}}
			if !reflect.DeepEqual(s.Ports, want) || len(notes) != 0 {
				t.Errorf("ports %+v notes %v, want %+v", s.Ports, notes, want)
			}
		}},
		{"update and placement", "deploy:\n      labels: {team: ml}\n      update_config: {order: start-first}\n      placement: {constraints: [node.role==manager], max_replicas_per_node: 1}\n      restart_policy: {condition: on-failure, delay: 2s}", func(t *testing.T, s swarm.ServiceSpec, _ []swarm.Note) {
			if s.Labels["team"] != "ml" || s.ContainerLabels["team"] != "" {
				t.Errorf("deploy labels go on the service only: %v / %v", s.Labels, s.ContainerLabels)
			}
			if s.Update == nil || s.Update.Parallelism != 1 || s.Update.Order != "start-first" {
				t.Errorf("update %+v, want parallelism 1 (the docker CLI's default) and start-first", s.Update)
			}
			if len(s.Constraints) != 1 || s.MaxReplicas != 1 || s.Restart.Condition != swarm.RestartOnFailure || s.Restart.Delay == nil || *s.Restart.Delay != 2*time.Second {
				t.Errorf("placement %v %d restart %+v", s.Constraints, s.MaxReplicas, s.Restart)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := load(t, t.TempDir(), "name: c\nservices:\n  app:\n    image: img\n    "+tt.svc+"\n")
			d, err := swarm.Convert(p)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, d.Services["app"], d.Notes)
		})
	}
}
