package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/stack-dev/stack/examples/modelstack/internal/svc"
)

const (
	maxEntryBytes = 64 << 10
	defaultTail   = 20
	maxTail       = 1000
)

func newHandler(log *slog.Logger, lf *LogFile) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		svc.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("POST /log", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxEntryBytes))
		if err != nil {
			svc.WriteError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("read body: %v", err))
			return
		}
		if err := lf.Append(body); err != nil {
			if json.Valid(body) {
				log.Error("append failed", "err", err)
				svc.WriteError(w, http.StatusInternalServerError, err.Error())
				return
			}
			svc.WriteError(w, http.StatusBadRequest, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /log", func(w http.ResponseWriter, r *http.Request) {
		n := defaultTail
		if s := r.URL.Query().Get("tail"); s != "" {
			v, err := strconv.Atoi(s)
			if err != nil || v < 1 || v > maxTail {
				svc.WriteError(w, http.StatusBadRequest, fmt.Sprintf("tail must be an integer from 1 to %d", maxTail))
				return
			}
			n = v
		}
		lines, err := lf.Tail(n)
		if err != nil {
			log.Error("tail failed", "err", err)
			svc.WriteError(w, http.StatusInternalServerError, err.Error())
			return
		}
		entries := make([]json.RawMessage, len(lines))
		for i, l := range lines {
			entries[i] = l
		}
		svc.WriteJSON(w, http.StatusOK, entries)
	})
	return mux
}
