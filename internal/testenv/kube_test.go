package testenv

import (
	"encoding/json"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestStartKubeAPIServerAnswersKubectl(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd and kube-apiserver")
	}
	kubectl := RequireKubectl(t)
	start := time.Now()
	srv := StartKubeAPIServer(t)
	t.Logf("etcd and kube-apiserver ready in %s", time.Since(start).Round(100*time.Millisecond))
	host, _, err := net.SplitHostPort(strings.TrimPrefix(srv.Server, "https://"))
	if err != nil || host != "127.0.0.1" {
		t.Fatalf("server %s is not on 127.0.0.1", srv.Server)
	}
	out, err := exec.Command(kubectl, "--kubeconfig", srv.Kubeconfig, "version", "-o", "json").Output()
	if err != nil {
		t.Fatalf("kubectl version: %v\n%s", err, out)
	}
	var v struct {
		ServerVersion struct {
			GitVersion string `json:"gitVersion"`
		} `json:"serverVersion"`
	}
	if err := json.Unmarshal(out, &v); err != nil || !strings.HasPrefix(v.ServerVersion.GitVersion, "v1.") {
		t.Fatalf("kubectl version: server version %q (%v)\n%s", v.ServerVersion.GitVersion, err, out)
	}
	// The admin of the kubeconfig may do everything a dry run needs.
	out, err = exec.Command(kubectl, "--kubeconfig", srv.Kubeconfig, "auth", "can-i", "create", "deployments").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "yes" {
		t.Fatalf("kubectl auth can-i create deployments: %v %s", err, out)
	}
}
