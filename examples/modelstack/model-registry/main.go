// Command model-registry stores versioned model documents on a volume:
// PUT/GET /models/{name}/{version}, GET /models/{name}[/latest], GET /healthz.
package main

import (
	"flag"
	"os"

	"github.com/stack-dev/stack/examples/modelstack/internal/svc"
)

func main() {
	healthcheck := flag.Bool("healthcheck", false, "GET /healthz of the running server and exit 0 if healthy")
	flag.Parse()
	addr := svc.ListenAddr()
	if *healthcheck {
		os.Exit(svc.Healthcheck(addr))
	}
	log := svc.Logger("model-registry")
	store, err := NewStore(svc.Env("DATA_DIR", "/data"))
	if err != nil {
		log.Error("start failed", "err", err)
		os.Exit(1)
	}
	if err := svc.Serve(log, addr, newHandler(log, store)); err != nil {
		log.Error("server failed", "err", err)
		os.Exit(1)
	}
}
