package kube_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/kube"
	"github.com/stack-dev/stack/kube/kubetest"
)

// TestAPIServer runs against a real kube-apiserver (built by
// .ci/kube-apiserver, started on loopback with its own etcd): the dry-run
// conformance suite, then every export of exportCases through
// `kubectl apply --dry-run=server --validate=strict` and through
// kube.APIServer, which is what `stack export kubernetes --check` uses.
func TestAPIServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd and kube-apiserver")
	}
	kubectl := testenv.RequireKubectl(t)
	srv := testenv.StartKubeAPIServer(t)
	newServer := func(t *testing.T) *kube.APIServer {
		s, err := kube.NewAPIServer(srv.Kubeconfig, "")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Namespaces the exports name exist, as they would in a cluster the
	// manifests are applied to in order (a dry run creates nothing).
	run := func(t *testing.T, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, kubectl, append([]string{"--kubeconfig", srv.Kubeconfig}, args...)...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	t.Run("conformance", func(t *testing.T) {
		kubetest.Run(t, func(t *testing.T) kube.DryRunner { return newServer(t) })
	})

	for _, c := range exportCases {
		t.Run(c.name, func(t *testing.T) {
			m := export(t, c)
			files, err := kube.Render(m, c.opts.Namespace, true)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := files.WriteDir(dir); err != nil {
				t.Fatal(err)
			}
			if c.opts.Namespace != "" {
				if out, err := run(t, "create", "namespace", c.opts.Namespace); err != nil && !strings.Contains(out, "AlreadyExists") {
					t.Fatalf("kubectl create namespace: %v\n%s", err, out)
				}
			}
			stream, err := kube.MarshalAll(m.Objects)
			if err != nil {
				t.Fatal(err)
			}
			all := filepath.Join(t.TempDir(), "all.yaml")
			if err := os.WriteFile(all, stream, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := run(t, "apply", "--dry-run=server", "--validate=strict", "-f", all)
			if err != nil {
				t.Fatalf("kubectl apply --dry-run=server --validate=strict -f (the stdout stream): %v\n%s", err, out)
			}
			if n := strings.Count(out, "(server dry run)"); n != len(m.Objects) {
				t.Errorf("kubectl applied %d objects, the export has %d:\n%s", n, len(m.Objects), out)
			}
			if out, err := run(t, "apply", "--dry-run=server", "--validate=strict", "-k", dir); err != nil {
				t.Fatalf("kubectl apply --dry-run=server --validate=strict -k (the -o DIR --kustomize folder): %v\n%s", err, out)
			}
			if err := newServer(t).ServerDryRun(context.Background(), m.Objects); err != nil {
				t.Fatalf("--check: %v", err)
			}
		})
	}

	t.Run("check refuses what the server refuses", func(t *testing.T) {
		m := export(t, exportCases[0])
		// A quantity the API server reads, but a value it refuses.
		for _, o := range m.Objects {
			if o.GetObjectKind().GroupVersionKind().Kind == "Deployment" {
				o.SetName("Not_A_Name")
				break
			}
		}
		err := newServer(t).ServerDryRun(context.Background(), m.Objects)
		var ce *kube.CheckError
		if !errors.As(err, &ce) || len(ce.Rejections) != 1 || ce.Rejections[0].Name != "Not_A_Name" {
			t.Fatalf("err = %v, want one rejection of Not_A_Name", err)
		}
	})

	t.Run("dry runs persist nothing", func(t *testing.T) {
		out, err := run(t, "get", "deployments,statefulsets,jobs,pvc,secrets,configmaps", "--all-namespaces", "-l", kube.LabelManagedBy+"=stack", "-o", "name")
		if err != nil {
			t.Fatalf("kubectl get: %v\n%s", err, out)
		}
		if strings.TrimSpace(out) != "" {
			t.Errorf("objects persisted after dry runs:\n%s", out)
		}
	})
}
