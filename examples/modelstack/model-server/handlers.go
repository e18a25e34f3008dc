package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/stack-dev/stack/examples/modelstack/internal/model"
	"github.com/stack-dev/stack/examples/modelstack/internal/svc"
)

// server answers predictions once a model is loaded; until then /healthz is
// 503 so the container is not healthy and gets no traffic it cannot serve.
type server struct {
	hostname string
	loaded   atomic.Pointer[loadedModel]
}

type loadedModel struct {
	model    *model.Model
	source   string
	loadedAt time.Time
}

func (s *server) setModel(m *model.Model, source string) {
	s.loaded.Store(&loadedModel{model: m, source: source, loadedAt: time.Now().UTC()})
}

type predictRequest struct {
	Features []float64 `json:"features"`
}

type predictResponse struct {
	Prediction    string             `json:"prediction"`
	ModelVersion  string             `json:"model_version"`
	Probabilities map[string]float64 `json:"probabilities"`
	ServedBy      string             `json:"served_by"`
}

func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /model", s.describeModel)
	mux.HandleFunc("POST /predict", s.predict)
	return mux
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	lm := s.loaded.Load()
	if lm == nil {
		svc.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "loading model"})
		return
	}
	svc.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok", "model_version": lm.model.Version})
}

func (s *server) describeModel(w http.ResponseWriter, r *http.Request) {
	lm := s.loaded.Load()
	if lm == nil {
		svc.WriteError(w, http.StatusServiceUnavailable, "no model loaded yet")
		return
	}
	m := lm.model
	svc.WriteJSON(w, http.StatusOK, map[string]any{
		"name": m.Name, "version": m.Version, "algorithm": m.Algorithm,
		"features": m.Features, "classes": m.Classes, "training": m.Training,
		"source": lm.source, "loaded_at": lm.loadedAt, "served_by": s.hostname,
	})
}

func (s *server) predict(w http.ResponseWriter, r *http.Request) {
	lm := s.loaded.Load()
	if lm == nil {
		svc.WriteError(w, http.StatusServiceUnavailable, "no model loaded yet")
		return
	}
	var req predictRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		svc.WriteError(w, http.StatusBadRequest, fmt.Sprintf(`invalid request body, want {"features": [numbers]}: %v`, err))
		return
	}
	if req.Features == nil {
		svc.WriteError(w, http.StatusBadRequest, `missing "features"`)
		return
	}
	class, probs, err := lm.model.Predict(req.Features)
	if err != nil {
		svc.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	byClass := make(map[string]float64, len(probs))
	for i, p := range probs {
		byClass[lm.model.Classes[i]] = p
	}
	svc.WriteJSON(w, http.StatusOK, predictResponse{
		Prediction: class, ModelVersion: lm.model.Version, Probabilities: byClass, ServedBy: s.hostname,
	})
}
