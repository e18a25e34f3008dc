// Command gateway is the stack's single entry point: a reverse proxy that
// balances across model-server replicas found by DNS, routes to the embedded
// variant and the model registry, and ships predictions to predlog.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/stack-dev/stack/examples/modelstack/internal/svc"
)

func main() {
	healthcheck := flag.Bool("healthcheck", false, "GET /healthz of the running gateway and exit 0 if healthy")
	flag.Parse()
	addr := svc.ListenAddr()
	if *healthcheck {
		os.Exit(svc.Healthcheck(addr))
	}
	log := svc.Logger("gateway")
	if err := run(log, addr); err != nil {
		log.Error("gateway failed", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger, addr string) error {
	interval, err := time.ParseDuration(svc.Env("RESOLVE_INTERVAL", "5s"))
	if err != nil {
		return fmt.Errorf("RESOLVE_INTERVAL: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var up Upstreams
	for _, u := range []struct {
		pool          **Pool
		env, fallback string
	}{
		{&up.ModelServer, "MODEL_SERVER_ADDR", "model-server:8080"},
		{&up.Embedded, "EMBEDDED_ADDR", "model-server-embedded:8080"},
		{&up.ModelRegistry, "MODEL_REGISTRY_ADDR", "model-registry:8080"},
	} {
		hostport := svc.Env(u.env, u.fallback)
		host, port, err := net.SplitHostPort(hostport)
		if err != nil {
			return fmt.Errorf("%s=%q: want host:port: %w", u.env, hostport, err)
		}
		*u.pool = NewPool(log, host, DNSResolver(host, port))
		go (*u.pool).Run(ctx, interval)
	}
	if predlogURL := svc.Env("PREDLOG_URL", "http://predlog:8080"); predlogURL != "off" {
		shipper, err := newPredlogShipper(log, predlogURL, 256)
		if err != nil {
			return fmt.Errorf("PREDLOG_URL=%q: %w", predlogURL, err)
		}
		up.Predlog = shipper
		go shipper.Run(ctx)
	}
	return svc.Serve(log, addr, newGateway(log, up))
}
