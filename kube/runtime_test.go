package kube_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/stack-dev/stack/kube"
)

func TestRuntimeKeysOnThePod(t *testing.T) {
	m := export(t, exportCase{file: "testdata/fixtures/runtime.yaml"})
	exp := find[*appsv1.Deployment](t, m, "Deployment", "exporter").Spec.Template
	pod := exp.Spec
	if !pod.HostNetwork || !pod.HostPID || !pod.HostIPC || pod.DNSPolicy != "ClusterFirstWithHostNet" {
		t.Errorf("host namespaces: network %v pid %v ipc %v dns %q", pod.HostNetwork, pod.HostPID, pod.HostIPC, pod.DNSPolicy)
	}
	if sc := pod.SecurityContext; sc == nil || !slices.Equal(sc.SupplementalGroups, []int64{44}) {
		t.Errorf("pod security context %+v: want group 44", sc)
	}
	if pod.DNSConfig == nil || !slices.Equal(pod.DNSConfig.Searches, []string{"example.internal"}) || len(pod.DNSConfig.Options) != 2 {
		t.Errorf("dns config %+v", pod.DNSConfig)
	}
	if exp.Annotations["com.example.scrape"] != "true" {
		t.Errorf("pod annotations %v", exp.Annotations)
	}
	tr := find[*appsv1.Deployment](t, m, "Deployment", "trainer").Spec.Template.Spec
	if sc := tr.SecurityContext; sc == nil || len(sc.Sysctls) != 1 || sc.Sysctls[0].Value != "80" {
		t.Errorf("pod security context %+v: want the sysctl", sc)
	}
	var shm, scratch bool
	for _, v := range tr.Volumes {
		if ed := v.EmptyDir; ed != nil && ed.Medium == "Memory" && ed.SizeLimit != nil {
			shm = shm || ed.SizeLimit.String() == "2Gi"
			scratch = scratch || ed.SizeLimit.String() == "64Mi"
		}
	}
	if !shm || !scratch {
		t.Errorf("volumes %+v: want memory-backed /dev/shm of 2Gi and /scratch of 64Mi", tr.Volumes)
	}
	if req := tr.Containers[0].Resources.Requests.Memory(); req.String() != "1Gi" {
		t.Errorf("memory request %s, want mem_reservation's 1Gi", req)
	}
}

// Every runtime key without a counterpart in a pod is refused, with its
// key path and a reason, and nothing is exported.
func TestRuntimeKeysRefused(t *testing.T) {
	file := filepath.Join(t.TempDir(), "compose.yaml")
	err := os.WriteFile(file, []byte(`services:
  vpn:
    image: vpn:1
  app:
    image: app:1
    ipc: service:vpn
    uts: host
    ulimits: {nofile: 1024}
    devices: [/dev/fuse]
    dns: [10.0.0.2]
    logging: {driver: syslog}
    volumes_from: [vpn]
    pids_limit: 100
    cpu_shares: 512
    use_api_socket: true
    post_start:
      - command: [/a]
        user: root
      - command: [/b]
  maker:
    provider:
      type: fakecloud
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	_, err = kube.Export(context.Background(), load(t, file), kube.Options{})
	if err == nil {
		t.Fatal("export succeeded, want the runtime keys refused")
	}
	for _, key := range []string{"ipc", "uts", "ulimits", "devices[0]", "dns", "logging", "volumes_from[0]", "pids_limit", "cpu_shares", "use_api_socket", "post_start[0].user", "post_start[1]"} {
		if !strings.Contains(err.Error(), "services.app."+key+":") {
			t.Errorf("error does not refuse services.app.%s:\n%v", key, err)
		}
	}
	if !strings.Contains(err.Error(), "services.maker.provider:") {
		t.Errorf("error does not refuse the provider service:\n%v", err)
	}
}

func TestHooksOnThePod(t *testing.T) {
	m := export(t, exportCase{file: "testdata/fixtures/runtime.yaml"})
	pod := find[*appsv1.Deployment](t, m, "Deployment", "migrator").Spec.Template.Spec
	c := pod.Containers[0]
	if c.Lifecycle == nil || c.Lifecycle.PostStart == nil || c.Lifecycle.PreStop == nil ||
		!slices.Equal(c.Lifecycle.PostStart.Exec.Command, []string{"/notify", "started"}) ||
		!slices.Equal(c.Lifecycle.PreStop.Exec.Command, []string{"/drain"}) {
		t.Fatalf("lifecycle %+v: want post_start and pre_stop as exec handlers", c.Lifecycle)
	}
	if len(pod.InitContainers) != 1 || !slices.Equal(pod.InitContainers[0].Command, []string{"/migrate", "up"}) ||
		pod.InitContainers[0].Image != "ghcr.io/acme/migrate:3" {
		t.Errorf("init containers %+v: want pre_start as one, on the service's image", pod.InitContainers)
	}
}
