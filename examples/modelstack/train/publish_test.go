package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestPublishRetriesUntilRegistryAccepts(t *testing.T) {
	var calls atomic.Int32
	var gotPath, gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(r.Body)
		gotPath, gotBody = r.Method+" "+r.URL.Path, string(b)
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()

	err := publish(context.Background(), slog.New(slog.DiscardHandler), srv.URL, "iris", "v1", []byte(`{"x":1}`), time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 || gotPath != "PUT /models/iris/v1" || gotBody != `{"x":1}` {
		t.Fatalf("calls=%d path=%q body=%q", calls.Load(), gotPath, gotBody)
	}
}

func TestPublishStopsOnClientError(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "version v1 exists with different content", http.StatusConflict)
	}))
	defer srv.Close()

	err := publish(context.Background(), slog.New(slog.DiscardHandler), srv.URL, "iris", "v1", []byte(`{}`), time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "different content") || calls.Load() != 1 {
		t.Fatalf("err=%v calls=%d, want one call and the registry's message", err, calls.Load())
	}
}

func TestPublishGivesUpWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	// Port 1 on loopback refuses connections.
	err := publish(ctx, slog.New(slog.DiscardHandler), "http://127.0.0.1:1", "iris", "v1", []byte(`{}`), 10*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "gave up") {
		t.Fatalf("err = %v, want a gave-up error", err)
	}
}
