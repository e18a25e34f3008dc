package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

var discard = slog.New(slog.DiscardHandler)

// backend answers with its own name and echoes what it received.
func backend(t *testing.T, name string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{
			"served_by": name, "path": r.URL.Path, "method": r.Method, "body": string(body),
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func hostPort(srv *httptest.Server) string { return strings.TrimPrefix(srv.URL, "http://") }

// switchableResolver lets a test change what "DNS" answers between refreshes.
type switchableResolver struct {
	mu    sync.Mutex
	addrs []string
}

func (s *switchableResolver) set(addrs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addrs = addrs
}

func (s *switchableResolver) resolve(context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.addrs...), nil
}

func staticPool(name string, addrs ...string) *Pool {
	return NewPool(discard, name, func(context.Context) ([]string, error) { return addrs, nil })
}

type reply struct {
	status int
	fields map[string]string
}

func send(t *testing.T, gw *httptest.Server, method, path, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, gw.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := gw.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := reply{status: resp.StatusCode, fields: map[string]string{}}
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &r.fields)
	if r.fields["served_by"] == "" && r.fields["error"] == "" {
		r.fields["raw"] = string(b)
	}
	return r
}

func newTestGateway(t *testing.T, up Upstreams) *httptest.Server {
	t.Helper()
	if up.Embedded == nil {
		up.Embedded = staticPool("model-server-embedded")
	}
	if up.ModelRegistry == nil {
		up.ModelRegistry = staticPool("model-registry")
	}
	gw := httptest.NewServer(newGateway(discard, up))
	t.Cleanup(gw.Close)
	return gw
}

func TestRoundRobinAcrossReplicas(t *testing.T) {
	a, b := backend(t, "a"), backend(t, "b")
	gw := newTestGateway(t, Upstreams{ModelServer: staticPool("model-server", hostPort(a), hostPort(b))})

	counts := map[string]int{}
	for range 10 {
		r := send(t, gw, "POST", "/predict", `{"features":[1,2,3,4]}`)
		if r.status != 200 || r.fields["body"] != `{"features":[1,2,3,4]}` || r.fields["path"] != "/predict" {
			t.Fatalf("reply = %+v", r)
		}
		counts[r.fields["served_by"]]++
	}
	if counts["a"] != 5 || counts["b"] != 5 {
		t.Fatalf("requests per backend = %v, want 5 each", counts)
	}
}

func TestRetriesAnotherBackendWhenOneIsDown(t *testing.T) {
	up := backend(t, "up")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close() // nothing listens here any more: connection refused
	gw := newTestGateway(t, Upstreams{ModelServer: staticPool("model-server", dead, hostPort(up))})

	for i := range 6 {
		r := send(t, gw, "POST", "/predict", `{"features":[1]}`)
		if r.status != 200 || r.fields["served_by"] != "up" || r.fields["body"] != `{"features":[1]}` {
			t.Fatalf("request %d: reply = %+v, want served by the live backend with the body intact", i, r)
		}
	}
}

func TestAllBackendsDownOrNone(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	tests := []struct {
		name       string
		pool       *Pool
		wantStatus int
		wantError  string
	}{
		{"all refuse", staticPool("model-server", dead), 502, "all 1 backends of model-server failed"},
		{"none resolved", staticPool("model-server"), 503, "no backends for model-server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gw := newTestGateway(t, Upstreams{ModelServer: tt.pool})
			r := send(t, gw, "GET", "/model", "")
			if r.status != tt.wantStatus || !strings.Contains(r.fields["error"], tt.wantError) {
				t.Fatalf("reply = %+v, want %d with %q", r, tt.wantStatus, tt.wantError)
			}
		})
	}
}

func TestReResolutionPicksUpNewReplicas(t *testing.T) {
	a, b := backend(t, "a"), backend(t, "b")
	dns := &switchableResolver{}
	dns.set(hostPort(a))
	pool := NewPool(discard, "model-server", dns.resolve)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go pool.Run(ctx, 5*time.Millisecond)
	gw := newTestGateway(t, Upstreams{ModelServer: pool})

	if r := send(t, gw, "GET", "/model", ""); r.fields["served_by"] != "a" {
		t.Fatalf("reply = %+v, want a", r)
	}
	dns.set(hostPort(b)) // a was scaled away, b came up
	deadline := time.Now().Add(2 * time.Second)
	for {
		r := send(t, gw, "GET", "/model", "")
		if r.fields["served_by"] == "b" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("gateway still routes to %+v after re-resolution", r)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRoutesStripPrefixes(t *testing.T) {
	models, embedded, registry := backend(t, "models"), backend(t, "embedded"), backend(t, "registry")
	gw := newTestGateway(t, Upstreams{
		ModelServer:   staticPool("model-server", hostPort(models)),
		Embedded:      staticPool("model-server-embedded", hostPort(embedded)),
		ModelRegistry: staticPool("model-registry", hostPort(registry)),
	})
	tests := []struct {
		method, path, wantBackend, wantPath string
	}{
		{"POST", "/predict", "models", "/predict"},
		{"GET", "/model", "models", "/model"},
		{"POST", "/embedded/predict", "embedded", "/predict"},
		{"GET", "/embedded/model", "embedded", "/model"},
		{"GET", "/registry/models/iris/latest", "registry", "/models/iris/latest"},
	}
	for _, tt := range tests {
		r := send(t, gw, tt.method, tt.path, "")
		if r.fields["served_by"] != tt.wantBackend || r.fields["path"] != tt.wantPath {
			t.Errorf("%s %s reached %q at %q, want %q at %q", tt.method, tt.path, r.fields["served_by"], r.fields["path"], tt.wantBackend, tt.wantPath)
		}
	}
	if r := send(t, gw, "GET", "/elsewhere", ""); r.status != 404 {
		t.Errorf("unknown route = %d, want 404", r.status)
	}
	if r := send(t, gw, "GET", "/healthz", ""); r.status != 200 {
		t.Errorf("healthz = %d, want 200", r.status)
	}
}

func TestPredictionsAreShippedToPredlog(t *testing.T) {
	got := make(chan map[string]any, 4)
	predlog := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rec map[string]any
		if err := json.NewDecoder(r.Body).Decode(&rec); err != nil || r.URL.Path != "/log" {
			t.Errorf("predlog got %s %v", r.URL.Path, err)
		}
		got <- rec
		w.WriteHeader(http.StatusNoContent)
	}))
	defer predlog.Close()
	shipper, err := newPredlogShipper(discard, predlog.URL, 8)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go shipper.Run(ctx)

	model := backend(t, "m1")
	gw := newTestGateway(t, Upstreams{ModelServer: staticPool("model-server", hostPort(model)), Predlog: shipper})
	send(t, gw, "GET", "/model", "") // not a prediction: not logged
	send(t, gw, "POST", "/predict", `{"features":[5.1,3.5,1.4,0.2]}`)

	select {
	case rec := <-got:
		req, _ := json.Marshal(rec["request"])
		resp, _ := rec["response"].(map[string]any)
		if string(req) != `{"features":[5.1,3.5,1.4,0.2]}` || resp["served_by"] != "m1" ||
			rec["backend"] != hostPort(model) || rec["status"] != float64(200) {
			t.Fatalf("record = %v", rec)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no record reached predlog")
	}
	select {
	case rec := <-got:
		t.Fatalf("unexpected second record %v", rec)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestPredlogQueueDropsWhenFull(t *testing.T) {
	shipper, err := newPredlogShipper(discard, "http://127.0.0.1:1", 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 { // no Run: nothing drains the queue
		shipper.Enqueue([]byte(fmt.Sprintf(`{"i":%d}`, i)))
	}
	if shipper.dropped.Load() != 3 || len(shipper.queue) != 2 {
		t.Fatalf("dropped=%d queued=%d, want 3 and 2", shipper.dropped.Load(), len(shipper.queue))
	}
}
