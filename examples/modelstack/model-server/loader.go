package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/stack-dev/stack/examples/modelstack/internal/model"
)

// loadFile reads a model baked into the image (the "embedded" variant).
func loadFile(path string) (*model.Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read model file: %w", err)
	}
	return decodeModel(b)
}

func decodeModel(b []byte) (*model.Model, error) {
	var m model.Model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode model: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("invalid model %s %s: %w", m.Name, m.Version, err)
	}
	return &m, nil
}

// fetchLatest downloads the newest version of name from the model registry,
// retrying every interval until it succeeds or ctx ends: in a stack the
// registry and the training job may still be starting.
func fetchLatest(ctx context.Context, log *slog.Logger, registryURL, name string, interval time.Duration) (*model.Model, error) {
	target, err := url.JoinPath(registryURL, "models", name, "latest")
	if err != nil {
		return nil, fmt.Errorf("model registry url %q: %w", registryURL, err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for attempt := 1; ; attempt++ {
		m, err := fetchOnce(ctx, client, target)
		if err == nil {
			return m, nil
		}
		log.Warn("model not available yet, retrying", "url", target, "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("fetch %s: %w", target, ctx.Err())
		case <-time.After(interval):
		}
	}
}

func fetchOnce(ctx context.Context, client *http.Client, target string) (*model.Model, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %.200s", resp.Status, b)
	}
	return decodeModel(b)
}
