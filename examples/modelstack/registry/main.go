// Command registry is the CNCF distribution registry (OCI distribution v2)
// built with only the storage drivers a local dev stack needs, plus a
// "healthcheck" subcommand because the scratch image has no shell or curl.
package main

import (
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/distribution/distribution/v3/registry"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(healthcheck(envOr("REGISTRY_HEALTH_URL", "http://127.0.0.1:5000/v2/")))
	}
	if err := registry.RootCmd.Execute(); err != nil {
		os.Exit(1)
	}
}

// healthcheck asks the registry's API base endpoint, which answers 200 once
// the storage driver is usable (the config's storage health check guards it).
func healthcheck(url string) int {
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintf(os.Stderr, "healthcheck: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(os.Stderr, "healthcheck: %s answered %s\n", url, resp.Status)
		return 1
	}
	return 0
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
