package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"time"

	"github.com/stack-dev/stack/examples/modelstack/internal/svc"
)

// maxBufferedBody bounds request bodies, which are buffered so a request can
// be replayed on another backend.
const maxBufferedBody = 1 << 20

// Upstreams are the pools the gateway routes to; Predlog may be nil.
type Upstreams struct {
	ModelServer, Embedded, ModelRegistry *Pool
	Predlog                              *predlogShipper
}

// version is the gateway's own version, which GET /healthz reports: edit it
// under `stack up --watch` and the gateway is rebuilt and answers with it.
const version = "0.1.0"

// newGateway routes:
//
//	/predict, /model   -> model-server replicas (round-robin)
//	/embedded/*        -> model-server-embedded, prefix stripped
//	/registry/*        -> model-registry, prefix stripped
//	GET /healthz       -> the gateway itself
func newGateway(log *slog.Logger, up Upstreams) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		svc.WriteJSON(w, http.StatusOK, map[string]any{
			"status":  "ok",
			"version": version,
			"backends": map[string][]string{
				up.ModelServer.name:   up.ModelServer.Addrs(),
				up.Embedded.name:      up.Embedded.Addrs(),
				up.ModelRegistry.name: up.ModelRegistry.Addrs(),
			},
		})
	})
	models := newProxy(log, up.ModelServer, "", up.Predlog)
	mux.Handle("/predict", models)
	mux.Handle("/model", models)
	mux.Handle("/embedded/", newProxy(log, up.Embedded, "/embedded", up.Predlog))
	mux.Handle("/registry/", newProxy(log, up.ModelRegistry, "/registry", nil))
	return accessLog(log, bufferBody(mux))
}

// backendTransport dials with a short timeout: a stopped replica's address
// stops answering at all (no RST), and the default 30s dial timeout would
// stall each request before it falls through to a live replica.
var backendTransport = &http.Transport{
	Proxy:                 nil, // backends are on the stack network, never behind a proxy
	DialContext:           (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	MaxIdleConnsPerHost:   16,
	IdleConnTimeout:       90 * time.Second,
	ResponseHeaderTimeout: 30 * time.Second,
}

// newProxy forwards to pool, removing stripPrefix from the path. Successful
// or not, every POST .../predict is also recorded in the prediction log.
func newProxy(log *slog.Logger, pool *Pool, stripPrefix string, predlog *predlogShipper) http.Handler {
	return &httputil.ReverseProxy{
		Transport: &balancingTransport{pool: pool, base: backendTransport},
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme = "http"
			pr.Out.URL.Host = pool.name // replaced by a resolved address in the transport
			pr.Out.URL.Path = strings.TrimPrefix(pr.In.URL.Path, stripPrefix)
			pr.Out.URL.RawPath = ""
			pr.SetXForwarded()
		},
		ModifyResponse: func(resp *http.Response) error {
			if predlog == nil || resp.Request.Method != http.MethodPost || !strings.HasSuffix(resp.Request.URL.Path, "/predict") {
				return nil
			}
			body, err := io.ReadAll(io.LimitReader(resp.Body, maxBufferedBody))
			resp.Body.Close()
			if err != nil {
				return fmt.Errorf("read predict response: %w", err)
			}
			resp.Body = io.NopCloser(bytes.NewReader(body))
			predlog.Enqueue(predictionRecord(resp, pool.name, body))
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			status := http.StatusBadGateway
			if errors.Is(err, errNoBackends) {
				status = http.StatusServiceUnavailable
			}
			log.Warn("proxy error", "upstream", pool.name, "path", r.URL.Path, "err", err)
			svc.WriteError(w, status, fmt.Sprintf("upstream %s: %v", pool.name, err))
		},
	}
}

func predictionRecord(resp *http.Response, upstream string, respBody []byte) []byte {
	rec := map[string]any{
		"time":     time.Now().UTC().Format(time.RFC3339Nano),
		"upstream": upstream,
		"backend":  resp.Request.URL.Host,
		"status":   resp.StatusCode,
	}
	if resp.Request.GetBody != nil {
		if rc, err := resp.Request.GetBody(); err == nil {
			reqBody, _ := io.ReadAll(rc)
			if json.Valid(reqBody) {
				rec["request"] = json.RawMessage(reqBody)
			}
		}
	}
	if json.Valid(respBody) {
		rec["response"] = json.RawMessage(respBody)
	}
	b, _ := json.Marshal(rec)
	return b
}

// bufferBody reads the request body into memory (bounded) and sets GetBody,
// so the transport can retry on another backend and the prediction log can
// record the request.
func bufferBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBufferedBody))
			if err != nil {
				svc.WriteError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("read body: %v", err))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			r.ContentLength = int64(len(body))
		}
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// accessLog logs method, path, backend, status and duration of each request.
func accessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r.WithContext(withRequestInfo(r.Context(), info)))
		log.Info("request", "method", r.Method, "path", r.URL.Path, "backend", info.backend,
			"status", rec.status, "duration_ms", float64(time.Since(start).Microseconds())/1000)
	})
}
