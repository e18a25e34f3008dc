package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// errPermanent marks a registry answer that retrying cannot fix (a 4xx).
var errPermanent = errors.New("registry rejected the model")

// publish PUTs the model to the registry, retrying every interval while the
// registry is unreachable or answers 5xx, until ctx ends.
func publish(ctx context.Context, log *slog.Logger, registryURL, name, version string, body []byte, interval time.Duration) error {
	target, err := url.JoinPath(registryURL, "models", name, version)
	if err != nil {
		return fmt.Errorf("model registry url %q: %w", registryURL, err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for attempt := 1; ; attempt++ {
		err := putOnce(ctx, client, target, body)
		if err == nil {
			return nil
		}
		if errors.Is(err, errPermanent) {
			return err
		}
		log.Warn("model registry not ready, retrying", "url", target, "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("put %s: gave up after %d attempts: %w", target, attempt, err)
		case <-time.After(interval):
		}
	}
}

func putOnce(ctx context.Context, client *http.Client, target string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode < 300:
		return nil
	case resp.StatusCode < 500:
		return fmt.Errorf("%w: put %s: %s: %s", errPermanent, target, resp.Status, bytes.TrimSpace(msg))
	default:
		return fmt.Errorf("put %s: %s: %s", target, resp.Status, bytes.TrimSpace(msg))
	}
}
