package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// predlogShipper posts prediction records to predlog in the background.
// Enqueue never blocks a request: when the queue is full the record is
// dropped and counted, since a prediction log must not slow predictions down.
type predlogShipper struct {
	target  string
	queue   chan []byte
	client  *http.Client
	log     *slog.Logger
	dropped atomic.Uint64
	failed  atomic.Uint64
}

func newPredlogShipper(log *slog.Logger, baseURL string, queueSize int) (*predlogShipper, error) {
	target, err := url.JoinPath(baseURL, "log")
	if err != nil {
		return nil, err
	}
	return &predlogShipper{
		target: target,
		queue:  make(chan []byte, queueSize),
		client: &http.Client{Timeout: 2 * time.Second},
		log:    log,
	}, nil
}

// Enqueue hands a JSON record to the background sender.
func (s *predlogShipper) Enqueue(record []byte) {
	select {
	case s.queue <- record:
	default:
		if n := s.dropped.Add(1); n == 1 || n%100 == 0 {
			s.log.Warn("prediction log queue full, dropping records", "dropped_total", n)
		}
	}
}

// Run sends queued records until ctx ends.
func (s *predlogShipper) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case rec := <-s.queue:
			s.send(ctx, rec)
		}
	}
}

func (s *predlogShipper) send(ctx context.Context, rec []byte) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.target, bytes.NewReader(rec))
	if err != nil {
		s.log.Error("build predlog request", "err", err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode < 300 {
			return
		}
		err = &statusError{resp.Status}
	}
	if n := s.failed.Add(1); n == 1 || n%100 == 0 {
		s.log.Warn("posting to predlog failed", "url", s.target, "failed_total", n, "err", err)
	}
}

type statusError struct{ status string }

func (e *statusError) Error() string { return "predlog answered " + e.status }
