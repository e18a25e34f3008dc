package kube_test

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
	"github.com/stack-dev/stack/kube"
	"github.com/stack-dev/stack/kube/kubefake"
	"github.com/stack-dev/stack/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// exportCase is one stack file exported with some options; its golden
// file is testdata/golden/<name>.yaml.
type exportCase struct {
	name string
	file string
	opts kube.Options
}

// exportCases are the fixtures and the model-serving example; the
// integration test runs each through a real API server as well.
var exportCases = []exportCase{
	{name: "mapping", file: "testdata/fixtures/mapping.yaml"},
	{name: "mapping-namespace-nodeport", file: "testdata/fixtures/mapping.yaml", opts: kube.Options{Namespace: "stack-mapping", Publish: kube.PublishNodePort}},
	{name: "modelserving", file: "testdata/fixtures/modelserving.hcl", opts: kube.Options{Publish: kube.PublishLoadBalancer}},
	{name: "modelserving-gateway-only", file: "testdata/fixtures/modelserving.hcl", opts: kube.Options{Services: []string{"gateway"}}},
	{name: "hostpath", file: "testdata/fixtures/hostpath.yaml", opts: kube.Options{HostPath: true, Drop: []string{"services.*.container_name"}}},
	{name: "runtime", file: "testdata/fixtures/runtime.yaml"},
	{name: "modelstack-hcl", file: "../examples/modelstack/stack.hcl"},
	{name: "modelstack-compose", file: "../examples/modelstack/compose.yaml"},
}

func load(t *testing.T, file string) *spec.Project {
	t.Helper()
	p, err := spec.Load(spec.LoadOptions{Files: []string{file}})
	if err != nil {
		t.Fatalf("load %s: %v", file, err)
	}
	return p
}

func export(t *testing.T, c exportCase) *kube.Manifests {
	t.Helper()
	m, err := kube.Export(context.Background(), load(t, c.file), c.opts)
	if err != nil {
		t.Fatalf("export %s: %v", c.file, err)
	}
	return m
}

func TestExportGolden(t *testing.T) {
	for _, c := range exportCases {
		t.Run(c.name, func(t *testing.T) {
			m := export(t, c)
			got, err := kube.MarshalAll(m.Objects)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", c.name+".yaml")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./kube -update)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("export differs from %s (-want +got):\n%s", golden, diff)
			}
			// The fake API server accepts every export; the real one does
			// in TestAPIServer.
			if err := kubefake.New().ServerDryRun(context.Background(), m.Objects); err != nil {
				t.Errorf("fake API server: %v", err)
			}
		})
	}
}

func TestExportIsStable(t *testing.T) {
	c := exportCases[0]
	first, _ := kube.MarshalAll(export(t, c).Objects)
	for range 5 {
		again, _ := kube.MarshalAll(export(t, c).Objects)
		if string(again) != string(first) {
			t.Fatal("two exports of the same stack differ")
		}
	}
}

// TestExposedPortsOfLocalImage: a local image's EXPOSE gives its service a
// Service, as Docker lets other services reach it on that port.
func TestExposedPortsOfLocalImage(t *testing.T) {
	p := load(t, "testdata/fixtures/modelserving.hcl")
	p.Services["server"].Expose = nil
	d := dockerfake.New()
	// Without the image (and no Dockerfile), the gateway has nothing to wait on.
	_, err := kube.Export(context.Background(), p, kube.Options{Images: d})
	var refused *kube.RefusedError
	if !errors.As(err, &refused) || refused.Refusals[0].KeyPath != "services.gateway.depends_on.server" {
		t.Fatalf("err = %v, want a refusal of services.gateway.depends_on.server", err)
	}
	d.AddImage(engine.Image{ID: "sha256:" + strings.Repeat("cd", 32), RepoTags: []string{"example.com/server:1"}, ExposedPorts: []string{"8000/tcp", "9000/udp"}})
	m, err := kube.Export(context.Background(), p, kube.Options{Images: d})
	if err != nil {
		t.Fatal(err)
	}
	svc := find[*corev1.Service](t, m, "Service", "server")
	var ports []string
	for _, sp := range svc.Spec.Ports {
		ports = append(ports, sp.Name)
	}
	if got := strings.Join(ports, ","); got != "tcp-8000,udp-9000" {
		t.Errorf("Service server ports = %s, want tcp-8000,udp-9000", got)
	}
}

func TestDockerfileExpose(t *testing.T) {
	dir := t.TempDir()
	df := "FROM scratch AS base\nEXPOSE 1111\n\nFROM scratch AS app\n# EXPOSE 9999\nEXPOSE 8080/tcp \\\n  8081/udp $PORT\nFROM base AS other\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		target string
		want   string
	}{
		{"", ""}, // the last stage exposes nothing
		{"app", "8080,8081"},
		{"base", "1111"},
	}
	for _, tc := range tests {
		p := &spec.Project{Name: "df", Services: map[string]*spec.Service{
			"app":    {Name: "app", Image: "app:1", Build: &spec.Build{Context: dir, Target: tc.target}},
			"client": {Name: "client", Image: "client:1", DependsOn: map[string]spec.Dependency{"app": {Condition: spec.ConditionStarted, Required: true}}},
		}}
		m, err := kube.Export(context.Background(), p, kube.Options{})
		if tc.want == "" {
			if err == nil {
				t.Errorf("target %q: exported without a port to wait on", tc.target)
			}
			continue
		}
		if err != nil {
			t.Fatalf("target %q: %v", tc.target, err)
		}
		var ports []string
		for _, sp := range find[*corev1.Service](t, m, "Service", "app").Spec.Ports {
			ports = append(ports, sp.TargetPort.String())
		}
		if got := strings.Join(ports, ","); got != tc.want {
			t.Errorf("target %q: ports %s, want %s", tc.target, got, tc.want)
		}
	}
}
