package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sync"
)

// Store keeps model versions as files: <dir>/<name>/<version>.json plus
// <dir>/<name>/index.json listing versions in upload order. Every write is a
// temp file + rename, so a crash never leaves a half-written model or index.
type Store struct {
	dir string
	mu  sync.Mutex // serialises index updates
}

var (
	errNotFound = errors.New("not found")
	errConflict = errors.New("version exists with different content")
)

// validName keeps names and versions safe as single path elements.
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

func checkName(kind, s string) error {
	if !validName.MatchString(s) {
		return fmt.Errorf("invalid %s %q: use 1-128 of [A-Za-z0-9._-], starting with a letter or digit", kind, s)
	}
	return nil
}

// NewStore creates dir if needed.
func NewStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory %s: %w", dir, err)
	}
	return &Store{dir: dir}, nil
}

// Put stores a version. It reports created=false when the identical content
// was already stored (so a retried upload is harmless) and errConflict when
// the version exists with other content: versions are immutable.
func (s *Store) Put(name, version string, body []byte) (created bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := s.versionPath(name, version)
	old, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(old, body):
		return false, nil
	case err == nil:
		return false, fmt.Errorf("%s/%s: %w", name, version, errConflict)
	case !errors.Is(err, fs.ErrNotExist):
		return false, fmt.Errorf("read %s/%s: %w", name, version, err)
	}
	if err := os.MkdirAll(filepath.Join(s.dir, name), 0o755); err != nil {
		return false, fmt.Errorf("create model directory: %w", err)
	}
	if err := writeAtomic(path, body); err != nil {
		return false, err
	}
	versions, err := s.versionsLocked(name)
	if err != nil {
		return false, err
	}
	index, err := json.Marshal(append(versions, version))
	if err != nil {
		return false, fmt.Errorf("encode index: %w", err)
	}
	if err := writeAtomic(filepath.Join(s.dir, name, "index.json"), index); err != nil {
		return false, err
	}
	return true, nil
}

// Versions lists the versions of a model, oldest first.
func (s *Store) Versions(name string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.versionsLocked(name)
	if err == nil && len(v) == 0 {
		return nil, fmt.Errorf("model %s: %w", name, errNotFound)
	}
	return v, err
}

func (s *Store) versionsLocked(name string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, name, "index.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read index of %s: %w", name, err)
	}
	var versions []string
	if err := json.Unmarshal(b, &versions); err != nil {
		return nil, fmt.Errorf("decode index of %s: %w", name, err)
	}
	return versions, nil
}

// Get returns one stored version.
func (s *Store) Get(name, version string) ([]byte, error) {
	b, err := os.ReadFile(s.versionPath(name, version))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("model %s version %s: %w", name, version, errNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s/%s: %w", name, version, err)
	}
	return b, nil
}

// Latest returns the most recently uploaded version and its content.
func (s *Store) Latest(name string) (string, []byte, error) {
	versions, err := s.Versions(name)
	if err != nil {
		return "", nil, err
	}
	latest := versions[len(versions)-1]
	b, err := s.Get(name, latest)
	return latest, b, err
}

func (s *Store) versionPath(name, version string) string {
	return filepath.Join(s.dir, name, version+".json")
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	// Sync before rename so the new name never points at unwritten data.
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename into %s: %w", path, err)
	}
	return nil
}
