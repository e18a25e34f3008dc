package dockerfake

import (
	"context"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/stack-dev/stack/engine"
)

// File returns the file at p (absolute) in container id, as the archive
// calls left it.
func (f *Fake) File(id, p string) (FakeFile, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container(id)
	if err != nil {
		return FakeFile{}, false
	}
	ff, ok := c.fs()[path.Clean(p)]
	return ff, ok
}

// Paths lists every path in container id under dir, sorted.
func (f *Fake) Paths(id, dir string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container(id)
	if err != nil {
		return nil
	}
	var out []string
	dir = path.Clean(dir)
	for p := range c.fs() {
		if p == dir || strings.HasPrefix(p, dir+"/") || dir == "/" {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// RemoveFromContainer removes paths under dir, skipping those that leave
// dir or pass through a symlink, as the real adapter's helper does.
func (f *Fake) RemoveFromContainer(ctx context.Context, id, dir string, paths []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("RemoveFromContainer")
	c, err := f.container(id)
	if err != nil {
		return fmt.Errorf("remove files in container %s: %w", id, err)
	}
	if c.State != "running" {
		return fmt.Errorf("remove files in container %s: container is not running: %w", id, engine.ErrConflict)
	}
	fs := c.fs()
	var skipped []string
	for _, rel := range paths {
		clean := strings.TrimPrefix(path.Clean("/"+rel), "/")
		if clean == "" || strings.TrimSuffix(rel, "/") != clean {
			skipped = append(skipped, rel)
			continue
		}
		parts := strings.Split(clean, "/")
		cur, ok := path.Clean(dir), true
		for _, part := range parts[:len(parts)-1] {
			cur = path.Join(cur, part)
			if ff, exists := fs[cur]; exists && (ff.Link != "" || ff.Mode&os.ModeDir == 0) {
				ok = false
				break
			}
		}
		if !ok {
			skipped = append(skipped, rel)
			continue
		}
		target := path.Join(dir, clean)
		for q := range fs {
			if q == target || strings.HasPrefix(q, target+"/") {
				delete(fs, q)
			}
		}
	}
	if len(skipped) > 0 {
		return fmt.Errorf("remove files in container %s: skipped %s: not plain paths under %s", id, strings.Join(skipped, ", "), dir)
	}
	return nil
}
