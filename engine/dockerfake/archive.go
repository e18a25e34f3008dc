package dockerfake

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/stack-dev/stack/engine"
)

// FakeFile is a file, folder or symlink a container of the fake holds:
// what CopyToContainer wrote there.
type FakeFile struct {
	Type     byte // tar.TypeReg, tar.TypeDir, tar.TypeSymlink
	Mode     int64
	UID, GID int
	Content  []byte
	Link     string
}

// File returns the file at p (absolute) in container id, as CopyToContainer
// left it.
func (f *Fake) File(id, p string) (FakeFile, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container(id)
	if err != nil {
		return FakeFile{}, false
	}
	ff, ok := f.files[c.ID][path.Clean(p)]
	if !ok {
		return FakeFile{}, false
	}
	return *ff, true
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
	for p := range f.files[c.ID] {
		if p == dir || strings.HasPrefix(p, dir+"/") || dir == "/" {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// CopyToContainer records the tar's entries under dir, as the daemon
// extracts them: parents are created, entries leaving dir are refused.
func (f *Fake) CopyToContainer(ctx context.Context, id, dir string, r io.Reader) error {
	f.mu.Lock()
	f.call("CopyToContainer")
	c, err := f.container(id)
	f.mu.Unlock()
	if err != nil {
		return fmt.Errorf("copy files into container %s: %w", id, err)
	}
	tr := tar.NewReader(r)
	type entry struct {
		p string
		f *FakeFile
	}
	var entries []entry
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("copy files into container %s: %w", id, err)
		}
		p := path.Join(dir, h.Name)
		if rel := strings.TrimPrefix(path.Clean("/"+h.Name), "/"); path.Join(dir, rel) != p {
			return fmt.Errorf("copy files into container %s: entry %q leaves %s", id, h.Name, dir)
		}
		ff := &FakeFile{Type: h.Typeflag, Mode: h.Mode, UID: h.Uid, GID: h.Gid, Link: h.Linkname}
		if h.Typeflag == tar.TypeReg {
			ff.Content, err = io.ReadAll(tr)
			if err != nil {
				return err
			}
		}
		entries = append(entries, entry{p, ff})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.files == nil {
		f.files = map[string]map[string]*FakeFile{}
	}
	fs := f.files[c.ID]
	if fs == nil {
		fs = map[string]*FakeFile{}
		f.files[c.ID] = fs
	}
	for _, e := range entries {
		for d := path.Dir(e.p); d != "/" && d != "."; d = path.Dir(d) {
			if _, ok := fs[d]; !ok {
				fs[d] = &FakeFile{Type: tar.TypeDir, Mode: 0o755}
			}
		}
		fs[e.p] = e.f
	}
	return nil
}

// CopyFromContainer returns p and what is under it as a tar named from
// p's base name.
func (f *Fake) CopyFromContainer(ctx context.Context, id, p string) (io.ReadCloser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("CopyFromContainer")
	c, err := f.container(id)
	if err != nil {
		return nil, fmt.Errorf("copy %s from container %s: %w", p, id, err)
	}
	p = path.Clean(p)
	fs := f.files[c.ID]
	if _, ok := fs[p]; !ok {
		return nil, fmt.Errorf("copy %s from container %s: no such file: %w", p, id, engine.ErrNotFound)
	}
	var names []string
	for q := range fs {
		if q == p || strings.HasPrefix(q, p+"/") {
			names = append(names, q)
		}
	}
	sort.Strings(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, q := range names {
		ff := fs[q]
		name := path.Join(path.Base(p), strings.TrimPrefix(q, p))
		h := &tar.Header{Typeflag: ff.Type, Name: name, Mode: ff.Mode, Uid: ff.UID, Gid: ff.GID, Linkname: ff.Link, Size: int64(len(ff.Content))}
		if ff.Type == tar.TypeDir {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(ff.Content); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return io.NopCloser(&buf), nil
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
	fs := f.files[c.ID]
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
			if ff, exists := fs[cur]; exists && ff.Type != tar.TypeDir {
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
