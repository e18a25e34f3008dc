// Command model-server serves predictions of a softmax-regression model,
// loaded either from a file baked into the image (MODEL_FILE) or as the
// latest version from the model registry (MODEL_REGISTRY_URL + MODEL_NAME).
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"
	"time"

	"github.com/stack-dev/stack/examples/modelstack/internal/svc"
)

func main() {
	healthcheck := flag.Bool("healthcheck", false, "GET /healthz of the running server and exit 0 if healthy")
	flag.Parse()
	addr := svc.ListenAddr()
	if *healthcheck {
		os.Exit(svc.Healthcheck(addr))
	}
	log := svc.Logger("model-server")
	if err := run(log, addr); err != nil {
		log.Error("model-server failed", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger, addr string) error {
	hostname, _ := os.Hostname()
	s := &server{hostname: hostname}
	file, registryURL, name := os.Getenv("MODEL_FILE"), os.Getenv("MODEL_REGISTRY_URL"), svc.Env("MODEL_NAME", "iris")
	switch {
	case file != "" && registryURL != "":
		return errors.New("set either MODEL_FILE or MODEL_REGISTRY_URL, not both")
	case file != "":
		m, err := loadFile(file)
		if err != nil {
			return err
		}
		s.setModel(m, "file:"+file)
		log.Info("model loaded", "source", file, "model", m.Name, "version", m.Version)
	case registryURL != "":
		// Listen at once (healthz says 503) and load in the background.
		go func() {
			m, err := fetchLatest(context.Background(), log, registryURL, name, 2*time.Second)
			if err != nil {
				log.Error("model load failed", "err", err)
				return
			}
			s.setModel(m, registryURL)
			log.Info("model loaded", "source", registryURL, "model", m.Name, "version", m.Version)
		}()
	default:
		return errors.New("no model source: set MODEL_FILE or MODEL_REGISTRY_URL (with MODEL_NAME)")
	}
	return svc.Serve(log, addr, s.handler())
}
