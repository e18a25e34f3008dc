package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/stack-dev/stack/examples/modelstack/internal/model"
	"github.com/stack-dev/stack/examples/modelstack/internal/svc"
)

// maxModelBytes bounds uploads; an Iris model is about 1 KiB.
const maxModelBytes = 8 << 20

// newHandler wires the registry's HTTP API onto store.
func newHandler(log *slog.Logger, store *Store) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		svc.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("PUT /models/{name}/{version}", func(w http.ResponseWriter, r *http.Request) {
		putModel(w, r, log, store)
	})
	mux.HandleFunc("GET /models/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if err := checkName("model name", name); err != nil {
			svc.WriteError(w, http.StatusBadRequest, err.Error())
			return
		}
		versions, err := store.Versions(name)
		if err != nil {
			writeStoreError(w, log, err)
			return
		}
		svc.WriteJSON(w, http.StatusOK, map[string]any{"name": name, "versions": versions})
	})
	mux.HandleFunc("GET /models/{name}/latest", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if err := checkName("model name", name); err != nil {
			svc.WriteError(w, http.StatusBadRequest, err.Error())
			return
		}
		version, body, err := store.Latest(name)
		if err != nil {
			writeStoreError(w, log, err)
			return
		}
		writeModel(w, version, body)
	})
	mux.HandleFunc("GET /models/{name}/{version}", func(w http.ResponseWriter, r *http.Request) {
		name, version := r.PathValue("name"), r.PathValue("version")
		if err := errors.Join(checkName("model name", name), checkName("version", version)); err != nil {
			svc.WriteError(w, http.StatusBadRequest, err.Error())
			return
		}
		body, err := store.Get(name, version)
		if err != nil {
			writeStoreError(w, log, err)
			return
		}
		writeModel(w, version, body)
	})
	return mux
}

func putModel(w http.ResponseWriter, r *http.Request, log *slog.Logger, store *Store) {
	name, version := r.PathValue("name"), r.PathValue("version")
	if err := errors.Join(checkName("model name", name), checkName("version", version)); err != nil {
		svc.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	if version == "latest" {
		svc.WriteError(w, http.StatusBadRequest, `"latest" is reserved and cannot be a version`)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxModelBytes))
	if err != nil {
		svc.WriteError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("read body: %v", err))
		return
	}
	var m model.Model
	if err := json.Unmarshal(body, &m); err != nil {
		svc.WriteError(w, http.StatusBadRequest, fmt.Sprintf("body is not a model document: %v", err))
		return
	}
	if err := m.Validate(); err != nil {
		svc.WriteError(w, http.StatusBadRequest, fmt.Sprintf("invalid model: %v", err))
		return
	}
	if m.Name != name || m.Version != version {
		svc.WriteError(w, http.StatusBadRequest, fmt.Sprintf("body names model %s version %s, url names %s version %s", m.Name, m.Version, name, version))
		return
	}
	created, err := store.Put(name, version, body)
	if err != nil {
		writeStoreError(w, log, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		log.Info("stored model", "model", name, "version", version, "bytes", len(body))
	}
	svc.WriteJSON(w, status, map[string]any{"name": name, "version": version, "created": created})
}

func writeModel(w http.ResponseWriter, version string, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Model-Version", version)
	_, _ = w.Write(body)
}

func writeStoreError(w http.ResponseWriter, log *slog.Logger, err error) {
	switch {
	case errors.Is(err, errNotFound):
		svc.WriteError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, errConflict):
		svc.WriteError(w, http.StatusConflict, err.Error())
	default:
		log.Error("store failure", "err", err)
		svc.WriteError(w, http.StatusInternalServerError, err.Error())
	}
}
