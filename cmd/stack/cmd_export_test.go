package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/kube"
)

// TestExportKubernetesCheck runs `stack export kubernetes --check` on the
// model-serving example, in both forms, against a real kube-apiserver, and
// checks that a manifest the server refuses fails the command.
func TestExportKubernetesCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd and kube-apiserver")
	}
	srv := testenv.StartKubeAPIServer(t)
	for _, file := range []string{"stack.hcl", "compose.yaml"} {
		t.Run(file, func(t *testing.T) {
			var out, errOut bytes.Buffer
			g := &globalOptions{Files: []string{filepath.Join("..", "..", "examples", "modelstack", file)}, stdout: &out, stderr: &errOut, log: zap.NewNop()}
			err := runExportKube(context.Background(), g, exportKubeOptions{Check: true, Kubeconfig: srv.Kubeconfig, Namespace: "modelstack"}, &out)
			if err != nil {
				t.Fatalf("export --check: %v\n%s", err, errOut.String())
			}
			if !strings.Contains(errOut.String(), "checked: "+srv.Server+" accepted 20 objects") {
				t.Errorf("stderr does not report the check of 20 objects:\n%s", errOut.String())
			}
			if out.Len() != 0 {
				t.Errorf("--check without -o wrote manifests to stdout")
			}
		})
	}
	t.Run("refused by the server", func(t *testing.T) {
		dir := t.TempDir()
		file := filepath.Join(dir, "compose.yaml")
		// A user ID that Docker takes and the API server refuses (above
		// 2^31-1): the exporter passes it on, the server has the last word.
		doc := "name: tiny\nservices:\n  app:\n    image: example.com/app:1\n    user: \"9999999999\"\n"
		if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		g := &globalOptions{Files: []string{file}, stdout: &out, stderr: &errOut, log: zap.NewNop()}
		err := runExportKube(context.Background(), g, exportKubeOptions{Check: true, Kubeconfig: srv.Kubeconfig, Output: filepath.Join(dir, "out2")}, &out)
		var ce *kube.CheckError
		if !errors.As(err, &ce) || ce.Rejections[0].Name != "app" {
			t.Fatalf("err = %v, want the API server to refuse the Deployment app", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "out2")); err == nil {
			t.Error("a refused --check wrote the manifests")
		}
	})
}
