package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Resolver returns the current "host:port" addresses of an upstream.
type Resolver func(ctx context.Context) ([]string, error)

// DNSResolver resolves host to all its A/AAAA records, each joined with port.
// Docker's embedded DNS answers a service name with one record per replica.
func DNSResolver(host, port string) Resolver {
	return func(ctx context.Context) ([]string, error) {
		ips, err := net.DefaultResolver.LookupHost(ctx, host)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", host, err)
		}
		addrs := make([]string, len(ips))
		for i, ip := range ips {
			addrs[i] = net.JoinHostPort(ip, port)
		}
		return addrs, nil
	}
}

// Pool is the set of addresses behind one upstream name, refreshed
// periodically and handed out round-robin.
type Pool struct {
	name    string
	resolve Resolver
	log     *slog.Logger

	mu    sync.RWMutex
	addrs []string
	next  atomic.Uint64
}

// NewPool creates a pool; call Refresh or Run to fill it.
func NewPool(log *slog.Logger, name string, resolve Resolver) *Pool {
	return &Pool{name: name, resolve: resolve, log: log}
}

// Refresh re-resolves the upstream. On failure it keeps the last known
// addresses: a DNS hiccup should not take every backend away.
func (p *Pool) Refresh(ctx context.Context) error {
	addrs, err := p.resolve(ctx)
	if err != nil {
		return fmt.Errorf("refresh %s: %w", p.name, err)
	}
	slices.Sort(addrs)
	p.mu.Lock()
	changed := !slices.Equal(addrs, p.addrs)
	p.addrs = addrs
	p.mu.Unlock()
	if changed {
		p.log.Info("backends changed", "upstream", p.name, "addrs", addrs)
	}
	return nil
}

// Run refreshes every interval until ctx ends.
func (p *Pool) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := p.Refresh(ctx); err != nil && ctx.Err() == nil {
			p.log.Warn("resolve failed, keeping last backends", "upstream", p.name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Addrs returns the current addresses.
func (p *Pool) Addrs() []string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return slices.Clone(p.addrs)
}

// Order returns every address, starting at the next one in round-robin
// order, so a caller can fall through to the others when one fails.
func (p *Pool) Order() []string {
	addrs := p.Addrs()
	if len(addrs) == 0 {
		return nil
	}
	start := int(p.next.Add(1)-1) % len(addrs)
	return append(addrs[start:], addrs[:start]...)
}
