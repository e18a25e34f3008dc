package kube_test

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stack-dev/stack/kube"
)

// TestAPIServerRequests: what --check sends, read from a kubeconfig with a
// token user and an inline CA: server-side apply in dry-run mode with
// strict field validation, one request per object, in the context's
// namespace when the object has none.
func TestAPIServerRequests(t *testing.T) {
	var mu sync.Mutex
	var requests []string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodGet {
			// The namespace the export creates is not there yet.
			w.WriteHeader(http.StatusNotFound)
			return
		}
		body, _ := io.ReadAll(r.Body)
		requests = append(requests, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery+" "+r.Header.Get("Content-Type"))
		if strings.Contains(r.URL.Path, "/deployments/") && strings.Contains(string(body), `"replicas":3`) {
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"kind":"Status","message":"Deployment.apps \"web\" is invalid: no reason"}`)
			return
		}
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "` + srv.URL + `", certificate-authority-data: "` + base64.StdEncoding.EncodeToString(ca) + `"}
users:
- name: u
  user: {tokenFile: token}
- name: plugin
  user: {exec: {command: get-token}}
contexts:
- name: other
  context: {cluster: c, user: plugin}
- name: mine
  context: {cluster: c, user: u, namespace: team}
current-context: other
`
	path := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := kube.NewAPIServer(path, ""); err == nil || !strings.Contains(err.Error(), "exec and auth-provider") {
		t.Errorf("current context with an exec plugin: err = %v, want it refused", err)
	}
	if _, err := kube.NewAPIServer(path, "nope"); err == nil || !strings.Contains(err.Error(), `no context "nope"`) {
		t.Errorf("unknown context: err = %v", err)
	}
	s, err := kube.NewAPIServer(path, "mine")
	if err != nil {
		t.Fatal(err)
	}

	m := export(t, exportCase{file: "testdata/fixtures/modelserving.hcl", opts: kube.Options{Namespace: "new-ns"}})
	if err := s.ServerDryRun(context.Background(), m.Objects); err != nil {
		t.Fatal(err)
	}
	if len(requests) != len(m.Objects) {
		t.Fatalf("%d requests for %d objects", len(requests), len(m.Objects))
	}
	want := []string{
		"PATCH /api/v1/namespaces/new-ns?dryRun=All&fieldManager=stack&fieldValidation=Strict&force=true application/apply-patch+yaml",
		// new-ns does not exist: its objects are checked in the context's namespace.
		"PATCH /apis/apps/v1/namespaces/team/deployments/gateway?dryRun=All&fieldManager=stack&fieldValidation=Strict&force=true application/apply-patch+yaml",
		"PATCH /apis/batch/v1/namespaces/team/jobs/fetch?dryRun=All&fieldManager=stack&fieldValidation=Strict&force=true application/apply-patch+yaml",
	}
	for _, w := range want {
		found := false
		for _, r := range requests {
			found = found || r == w
		}
		if !found {
			t.Errorf("no request %s in\n%s", w, strings.Join(requests, "\n"))
		}
	}

	// A refusal names the object and carries the server's message.
	p := load(t, "testdata/fixtures/modelserving.hcl")
	p.Services["server"].Replicas = 3
	m3, err := kube.Export(context.Background(), p, kube.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = s.ServerDryRun(context.Background(), m3.Objects)
	var ce *kube.CheckError
	if !errors.As(err, &ce) || len(ce.Rejections) != 1 || ce.Rejections[0].Name != "server" || !strings.Contains(ce.Rejections[0].Message, "no reason") {
		t.Fatalf("err = %v, want the Deployment server refused with the server's message", err)
	}
}
