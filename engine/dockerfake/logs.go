package dockerfake

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/stack-dev/stack/engine"
)

// WriteLog appends a line of output to a container's log, as its process
// writing to stdout (or stderr) would. text should end in a newline.
func (f *Fake) WriteLog(id string, stderr bool, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container(id)
	if err != nil {
		return fmt.Errorf("write log of %s: %w", id, err)
	}
	c.logs = append(c.logs, logLine{stderr: stderr, time: f.now(), text: text})
	c.touch()
	return nil
}

// ContainerLogs copies a container's log to stdout and stderr; with Follow
// it goes on until the container stops or ctx ends.
func (f *Fake) ContainerLogs(ctx context.Context, id string, opts engine.LogOptions, stdout, stderr io.Writer) error {
	f.mu.Lock()
	f.call("ContainerLogs")
	c, err := f.container(id)
	if err != nil {
		f.mu.Unlock()
		return fmt.Errorf("logs of container %s: %w", id, err)
	}
	lines := selectLogs(c.logs, opts)
	next := len(c.logs)
	f.mu.Unlock()

	for {
		if err := writeLogs(lines, opts.Timestamps, stdout, stderr); err != nil {
			return fmt.Errorf("logs of container %s: %w", id, err)
		}
		f.mu.Lock()
		if !opts.Follow || c.State != "running" && next == len(c.logs) {
			f.mu.Unlock()
			return nil
		}
		changed := c.changed
		if next == len(c.logs) {
			f.mu.Unlock()
			select {
			case <-ctx.Done():
				return nil
			case <-changed:
			}
			f.mu.Lock()
		}
		lines = append([]logLine(nil), c.logs[next:]...)
		next = len(c.logs)
		f.mu.Unlock()
	}
}

// selectLogs applies Since and Tail.
func selectLogs(all []logLine, opts engine.LogOptions) []logLine {
	var lines []logLine
	for _, l := range all {
		if opts.Since.IsZero() || !l.time.Before(opts.Since) {
			lines = append(lines, l)
		}
	}
	if n, err := strconv.Atoi(opts.Tail); err == nil && n >= 0 && n < len(lines) {
		lines = lines[len(lines)-n:]
	}
	return lines
}

func writeLogs(lines []logLine, timestamps bool, stdout, stderr io.Writer) error {
	for _, l := range lines {
		w := stdout
		if l.stderr {
			w = stderr
		}
		text := l.text
		if timestamps {
			text = l.time.UTC().Format(time.RFC3339Nano) + " " + text
		}
		if _, err := io.WriteString(w, text); err != nil {
			return err
		}
	}
	return nil
}
