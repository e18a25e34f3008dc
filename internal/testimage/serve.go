package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

// serve runs an HTTP server until SIGTERM or SIGINT, then shuts down
// gracefully and exits 0, so tests can tell a clean stop from a kill.
func serve(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	port := fs.Int("port", 8080, "port to listen on")
	readyAfter := fs.Duration("ready-after", 0, "answer /healthz with 503 until this long after start")
	if err := fs.Parse(args); err != nil {
		return 2
	}

	var ready atomic.Bool
	ready.Store(*readyAfter <= 0)
	if !ready.Load() {
		time.AfterFunc(*readyAfter, func() { ready.Store(true) })
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		host, _ := os.Hostname()
		fmt.Fprintf(w, "hostname=%s name=%s\n", host, os.Getenv("NAME"))
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if !ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	srv := &http.Server{Addr: fmt.Sprintf(":%d", *port), Handler: mux, ReadHeaderTimeout: 5 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe() }()
	fmt.Printf("listening on :%d\n", *port)

	select {
	case err := <-served:
		return fail("serve: %v", err)
	case <-ctx.Done():
	}
	fmt.Println("stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fail("shutdown: %v", err)
	}
	return 0
}
