package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
)

// LogsOptions tune `logs`.
type LogsOptions struct {
	Services []string
	LogOptions
	// Ended, if set, is called when a container's stream ends (with
	// Follow: the container stopped).
	Ended func(container, service string)
}

// LogLine is one line of a container's output.
type LogLine struct {
	Container string // container name
	Service   string
	Number    int
	Stderr    bool
	Text      string // without the trailing newline
}

// Logs copies the output of the project's containers to sink, one call per
// line, until every stream is done or, with Follow, ctx ends. sink is called
// from several goroutines at once.
func (e *Engine) Logs(ctx context.Context, project string, opts LogsOptions, sink func(LogLine)) error {
	obs, err := e.observe(ctx, project)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, c := range filterContainers(obs.Containers, opts.Services, func(ObservedContainer) bool { return true }) {
		wg.Add(1)
		go func(c ObservedContainer) {
			defer wg.Done()
			line := LogLine{Container: c.Name, Service: c.Service, Number: c.Number}
			out := &lineWriter{emit: func(s string) { l := line; l.Text = s; sink(l) }}
			errOut := &lineWriter{emit: func(s string) { l := line; l.Text, l.Stderr = s, true; sink(l) }}
			err := e.docker.ContainerLogs(ctx, c.ID, opts.LogOptions, out, errOut)
			out.flush()
			errOut.flush()
			if opts.Ended != nil && ctx.Err() == nil {
				opts.Ended(c.Name, c.Service)
			}
			if err != nil && !errors.Is(err, context.Canceled) && ctx.Err() == nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("logs of %s: %w", c.Name, err))
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	return errors.Join(errs...)
}

// lineWriter splits a byte stream into lines.
type lineWriter struct {
	buf  bytes.Buffer
	emit func(string)
}

var _ io.Writer = (*lineWriter)(nil)

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	for {
		i := bytes.IndexByte(w.buf.Bytes(), '\n')
		if i < 0 {
			break
		}
		line := w.buf.Next(i + 1)
		w.emit(string(bytes.TrimRight(line, "\r\n")))
	}
	return len(p), nil
}

func (w *lineWriter) flush() {
	if w.buf.Len() > 0 {
		w.emit(w.buf.String())
		w.buf.Reset()
	}
}
