// Command predlog is an append-only store for prediction logs on a volume:
// POST /log (one JSON value), GET /log?tail=N, GET /healthz.
package main

import (
	"flag"
	"os"
	"path/filepath"

	"github.com/stack-dev/stack/examples/modelstack/internal/svc"
)

func main() {
	healthcheck := flag.Bool("healthcheck", false, "GET /healthz of the running server and exit 0 if healthy")
	flag.Parse()
	addr := svc.ListenAddr()
	if *healthcheck {
		os.Exit(svc.Healthcheck(addr))
	}
	log := svc.Logger("predlog")
	lf, err := OpenLogFile(filepath.Join(svc.Env("DATA_DIR", "/data"), "predictions.jsonl"))
	if err != nil {
		log.Error("start failed", "err", err)
		os.Exit(1)
	}
	defer lf.Close()
	if err := svc.Serve(log, addr, newHandler(log, lf)); err != nil {
		log.Error("server failed", "err", err)
		os.Exit(1)
	}
}
