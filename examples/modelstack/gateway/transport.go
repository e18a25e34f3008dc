package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
)

// errNoBackends means the upstream currently resolves to nothing.
var errNoBackends = errors.New("no backends")

// requestInfo travels in the request context so the access log can name the
// backend the transport finally used.
type requestInfo struct {
	backend string
}

type requestInfoKey struct{}

func withRequestInfo(ctx context.Context, info *requestInfo) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, info)
}

func requestInfoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

// balancingTransport sends each request to the pool's next backend and, when
// connecting fails (so the request was never sent), to the following ones.
type balancingTransport struct {
	pool *Pool
	base http.RoundTripper
}

func (t *balancingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	addrs := t.pool.Order()
	if len(addrs) == 0 {
		// At start-up the periodic refresh may not have run yet.
		if err := t.pool.Refresh(req.Context()); err != nil {
			return nil, fmt.Errorf("%w for %s: %v", errNoBackends, t.pool.name, err)
		}
		if addrs = t.pool.Order(); len(addrs) == 0 {
			return nil, fmt.Errorf("%w for %s", errNoBackends, t.pool.name)
		}
	}
	var lastErr error
	for i, addr := range addrs {
		out := req.Clone(req.Context())
		out.URL.Host = addr
		out.Host = ""
		if i > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("replay request body: %w", err)
			}
			out.Body = body
		}
		resp, err := t.base.RoundTrip(out)
		if info := requestInfoFrom(req.Context()); info != nil {
			info.backend = addr
		}
		if err == nil {
			return resp, nil
		}
		lastErr = err
		if !isDialError(err) || (req.Body != nil && req.Body != http.NoBody && req.GetBody == nil) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("all %d backends of %s failed: %w", len(addrs), t.pool.name, lastErr)
}

// isDialError reports a failure to connect: nothing reached the backend, so
// another one may safely be tried even for a POST.
func isDialError(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}
