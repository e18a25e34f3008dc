package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stack-dev/stack/examples/modelstack/internal/model"
)

func modelJSON(t *testing.T, name, version string, bias float64) string {
	t.Helper()
	m := model.Model{
		Name: name, Version: version, Algorithm: model.Algorithm,
		Features: []string{"a", "b"}, Classes: []string{"x", "y"},
		Means: []float64{0, 0}, Stds: []float64{1, 1},
		Weights: [][]float64{{1, 0}, {0, 1}}, Bias: []float64{bias, 0},
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func newTestServer(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	dir := t.TempDir()
	store, err := NewStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newHandler(slog.New(slog.DiscardHandler), store))
	t.Cleanup(srv.Close)
	return srv, dir
}

func do(t *testing.T, srv *httptest.Server, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Steps run in order against one server, so later steps see earlier uploads.
func TestRegistryAPI(t *testing.T) {
	srv, dir := newTestServer(t)
	v1, v2 := modelJSON(t, "iris", "v1", 0.1), modelJSON(t, "iris", "v2", 0.2)
	steps := []struct {
		name, method, path, body string
		wantStatus               int
		wantBody                 string // substring
	}{
		{"healthz", "GET", "/healthz", "", 200, `"ok"`},
		{"unknown model", "GET", "/models/iris", "", 404, "not found"},
		{"latest of unknown model", "GET", "/models/iris/latest", "", 404, "not found"},
		{"put v1", "PUT", "/models/iris/v1", v1, 201, `"created":true`},
		{"put v1 again is idempotent", "PUT", "/models/iris/v1", v1, 200, `"created":false`},
		{"put v1 with other content", "PUT", "/models/iris/v1", modelJSON(t, "iris", "v1", 9), 409, "different content"},
		{"put v2", "PUT", "/models/iris/v2", v2, 201, `"created":true`},
		{"list newest last", "GET", "/models/iris", "", 200, `"versions":["v1","v2"]`},
		{"latest", "GET", "/models/iris/latest", "", 200, v2},
		{"get v1", "GET", "/models/iris/v1", "", 200, v1},
		{"unknown version", "GET", "/models/iris/v9", "", 404, "version v9"},
		{"body/url mismatch", "PUT", "/models/iris/v3", v2, 400, "url names iris version v3"},
		{"not json", "PUT", "/models/iris/v3", "{", 400, "not a model document"},
		{"invalid model", "PUT", "/models/iris/v3", `{"name":"iris","version":"v3","algorithm":"softmax-regression"}`, 400, "invalid model"},
		{"reserved version", "PUT", "/models/iris/latest", modelJSON(t, "iris", "latest", 0), 400, "reserved"},
		{"bad name", "GET", "/models/..secret", "", 400, "invalid model name"},
		{"bad version", "PUT", "/models/iris/.hidden", v1, 400, "invalid version"},
	}
	for _, s := range steps {
		status, body := do(t, srv, s.method, s.path, s.body)
		if status != s.wantStatus || !strings.Contains(body, s.wantBody) {
			t.Fatalf("%s: %s %s = %d %s, want %d containing %s", s.name, s.method, s.path, status, body, s.wantStatus, s.wantBody)
		}
	}

	// Only the two versions and the index are on disk: no temp files left behind.
	entries, err := os.ReadDir(filepath.Join(dir, "iris"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, ","); got != "index.json,v1.json,v2.json" {
		t.Fatalf("files on disk = %s", got)
	}
}

func TestStoreSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s1, err := NewStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s1.Put("iris", "v1", []byte(modelJSON(t, "iris", "v1", 0))); err != nil {
		t.Fatal(err)
	}
	s2, err := NewStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	version, _, err := s2.Latest("iris")
	if err != nil || version != "v1" {
		t.Fatalf("latest after reopen = %q, %v; want v1", version, err)
	}
}
