package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
)

// LogFile is an append-only JSON-lines file. Appends are serialised so lines
// never interleave; reads go through a separate handle and see whole lines.
type LogFile struct {
	path string
	mu   sync.Mutex
	f    *os.File
}

// OpenLogFile opens (or creates) path for appending.
func OpenLogFile(path string) (*LogFile, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open prediction log: %w", err)
	}
	return &LogFile{path: path, f: f}, nil
}

// Close closes the append handle.
func (l *LogFile) Close() error { return l.f.Close() }

// Append writes one JSON value as a single compact line.
func (l *LogFile) Append(entry []byte) error {
	var buf bytes.Buffer
	if err := json.Compact(&buf, entry); err != nil {
		return fmt.Errorf("entry is not valid JSON: %w", err)
	}
	buf.WriteByte('\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.f.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("append to %s: %w", l.path, err)
	}
	return nil
}

// Tail returns the last n lines, oldest first, reading the file backwards in
// chunks so a long log is not read whole.
func (l *LogFile) Tail(n int) ([][]byte, error) {
	f, err := os.Open(l.path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", l.path, err)
	}
	defer f.Close()
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, fmt.Errorf("seek %s: %w", l.path, err)
	}
	const chunk = 64 << 10
	var data []byte
	for pos := end; pos > 0 && bytes.Count(data, []byte{'\n'}) <= n; {
		size := min(int64(chunk), pos)
		pos -= size
		buf := make([]byte, size)
		if _, err := f.ReadAt(buf, pos); err != nil {
			return nil, fmt.Errorf("read %s: %w", l.path, err)
		}
		data = append(buf, data...)
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte{'\n'})
	if len(lines) == 1 && len(lines[0]) == 0 {
		return nil, nil
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines, nil
}
