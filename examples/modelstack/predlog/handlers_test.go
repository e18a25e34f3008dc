package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

func newTestHandler(t *testing.T) http.Handler {
	t.Helper()
	lf, err := OpenLogFile(filepath.Join(t.TempDir(), "predictions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lf.Close() })
	return newHandler(slog.New(slog.DiscardHandler), lf)
}

func serve(h http.Handler, method, path, body string) (int, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	return rec.Code, strings.TrimSpace(rec.Body.String())
}

func TestLogAPI(t *testing.T) {
	h := newTestHandler(t)
	steps := []struct {
		method, path, body string
		wantStatus         int
		wantBody           string
	}{
		{"GET", "/healthz", "", 200, `{"status":"ok"}`},
		{"GET", "/log", "", 200, `[]`},
		{"POST", "/log", "{\n \"n\": 1\n}", 204, ""},
		{"POST", "/log", `{"n":2}`, 204, ""},
		{"POST", "/log", `{"n":`, 400, `{"error":"entry is not valid JSON: unexpected end of JSON input"}`},
		{"POST", "/log", `{"n":3}`, 204, ""},
		{"GET", "/log?tail=2", "", 200, `[{"n":2},{"n":3}]`},
		{"GET", "/log", "", 200, `[{"n":1},{"n":2},{"n":3}]`},
		{"GET", "/log?tail=0", "", 400, `{"error":"tail must be an integer from 1 to 1000"}`},
		{"GET", "/log?tail=x", "", 400, `{"error":"tail must be an integer from 1 to 1000"}`},
	}
	for _, s := range steps {
		status, body := serve(h, s.method, s.path, s.body)
		if status != s.wantStatus || body != s.wantBody {
			t.Fatalf("%s %s %q = %d %s, want %d %s", s.method, s.path, s.body, status, body, s.wantStatus, s.wantBody)
		}
	}
}

// Tail must find the last lines across the 64 KiB chunk boundary.
func TestTailAcrossChunks(t *testing.T) {
	lf, err := OpenLogFile(filepath.Join(t.TempDir(), "p.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	pad := strings.Repeat("x", 1000)
	for i := range 300 {
		if err := lf.Append([]byte(fmt.Sprintf(`{"i":%d,"pad":%q}`, i, pad))); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []int{1, 70, 300, 500} {
		lines, err := lf.Tail(n)
		if err != nil {
			t.Fatal(err)
		}
		want := min(n, 300)
		if len(lines) != want {
			t.Fatalf("tail %d: %d lines, want %d", n, len(lines), want)
		}
		if first := fmt.Sprintf(`{"i":%d,`, 300-want); !strings.HasPrefix(string(lines[0]), first) {
			t.Fatalf("tail %d: first line starts %.20s, want %s", n, lines[0], first)
		}
	}
}
