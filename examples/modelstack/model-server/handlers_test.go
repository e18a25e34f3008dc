package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stack-dev/stack/examples/modelstack/internal/model"
)

// testModel separates its two classes on the sign of the first feature.
func testModel() *model.Model {
	return &model.Model{
		Name: "toy", Version: "v7", Algorithm: model.Algorithm,
		Features: []string{"a", "b"}, Classes: []string{"neg", "pos"},
		Means: []float64{0, 0}, Stds: []float64{1, 1},
		Weights: [][]float64{{-5, 0}, {5, 0}}, Bias: []float64{0, 0},
	}
}

func call(t *testing.T, h http.Handler, method, path, body string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: response is not JSON: %q", method, path, rec.Body.String())
	}
	return rec.Code, out
}

func TestHandlersBeforeModelLoaded(t *testing.T) {
	h := (&server{hostname: "h1"}).handler()
	for _, tt := range []struct{ method, path, body string }{
		{"GET", "/healthz", ""},
		{"GET", "/model", ""},
		{"POST", "/predict", `{"features":[1,2]}`},
	} {
		if code, _ := call(t, h, tt.method, tt.path, tt.body); code != http.StatusServiceUnavailable {
			t.Errorf("%s %s = %d, want 503 before a model is loaded", tt.method, tt.path, code)
		}
	}
}

func TestPredict(t *testing.T) {
	s := &server{hostname: "replica-1"}
	s.setModel(testModel(), "test")
	h := s.handler()
	tests := []struct {
		name, body string
		wantStatus int
		wantClass  string
		wantError  string
	}{
		{"positive", `{"features":[2, 0]}`, 200, "pos", ""},
		{"negative", `{"features":[-2, 9]}`, 200, "neg", ""},
		{"too few features", `{"features":[1]}`, 400, "", "wrong number of features"},
		{"missing features", `{}`, 400, "", `missing "features"`},
		{"not numbers", `{"features":["a","b"]}`, 400, "", "invalid request body"},
		{"unknown field", `{"features":[1,2],"x":1}`, 400, "", "unknown field"},
		{"not json", `features=1,2`, 400, "", "invalid request body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := call(t, h, "POST", "/predict", tt.body)
			if code != tt.wantStatus {
				t.Fatalf("status = %d (%v), want %d", code, out, tt.wantStatus)
			}
			if tt.wantError != "" {
				if msg, _ := out["error"].(string); !strings.Contains(msg, tt.wantError) {
					t.Fatalf("error = %q, want it to contain %q", msg, tt.wantError)
				}
				return
			}
			if out["prediction"] != tt.wantClass || out["model_version"] != "v7" || out["served_by"] != "replica-1" {
				t.Fatalf("response = %v", out)
			}
			probs, _ := out["probabilities"].(map[string]any)
			sum := 0.0
			for _, p := range probs {
				sum += p.(float64)
			}
			if len(probs) != 2 || sum < 0.999 || sum > 1.001 {
				t.Fatalf("probabilities = %v, want two classes summing to 1", probs)
			}
		})
	}
}

func TestModelAndHealthzAfterLoad(t *testing.T) {
	s := &server{hostname: "h"}
	s.setModel(testModel(), "file:/model.json")
	h := s.handler()
	if code, out := call(t, h, "GET", "/healthz", ""); code != 200 || out["model_version"] != "v7" {
		t.Fatalf("healthz = %d %v", code, out)
	}
	code, out := call(t, h, "GET", "/model", "")
	if code != 200 || out["name"] != "toy" || out["version"] != "v7" || out["source"] != "file:/model.json" {
		t.Fatalf("model = %d %v", code, out)
	}
}

func TestFetchLatestRetriesUntilModelExists(t *testing.T) {
	body, err := json.Marshal(testModel())
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/models/toy/latest" {
			http.NotFound(w, r)
			return
		}
		if calls.Add(1) < 3 { // training has not published yet
			http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
			return
		}
		_, _ = w.Write(body)
	}))
	defer reg.Close()

	m, err := fetchLatest(context.Background(), slog.New(slog.DiscardHandler), reg.URL, "toy", time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != "v7" || calls.Load() != 3 {
		t.Fatalf("version %q after %d calls, want v7 after 3", m.Version, calls.Load())
	}
}

func TestFetchLatestStopsWithContext(t *testing.T) {
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"algorithm":"other"}`) // never a valid model
	}))
	defer reg.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := fetchLatest(ctx, slog.New(slog.DiscardHandler), reg.URL, "toy", 5*time.Millisecond); err == nil {
		t.Fatal("want an error once the context ends")
	}
}

func TestLoadFileRejectsInvalidModel(t *testing.T) {
	dir := t.TempDir()
	good, _ := json.Marshal(testModel())
	bad := testModel()
	bad.Bias = []float64{0}
	badJSON, _ := json.Marshal(bad)
	tests := []struct {
		name, content, wantErr string
	}{
		{"valid", string(good), ""},
		{"shape mismatch", string(badJSON), "weights/bias"},
		{"not json", "{", "decode model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".json")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := loadFile(path)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
