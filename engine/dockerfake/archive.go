package dockerfake

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/stack-dev/stack/engine"
)

// FakeFile is a file or folder in a fake container's filesystem.
type FakeFile struct {
	Content  []byte
	Mode     os.FileMode // with os.ModeDir for a folder
	UID, GID int
	Link     string // a symlink's target
}

// fs returns c's filesystem, seeded with its spec's files; the caller
// holds f.mu.
func (c *FakeContainer) fs() map[string]FakeFile {
	if c.Filesystem == nil {
		c.Filesystem = map[string]FakeFile{"/": {Mode: os.ModeDir | 0o755}}
		for _, file := range c.Spec.Files {
			mode := os.FileMode(file.Mode)
			if mode == 0 {
				mode = 0o444
			}
			c.Filesystem[path.Clean(file.Path)] = FakeFile{Content: file.Content, Mode: mode, UID: file.UID, GID: file.GID}
		}
	}
	return c.Filesystem
}

// stat finds p in fs: a file or folder of its own, or a folder implied by
// the files under it.
func stat(fs map[string]FakeFile, p string) (FakeFile, bool) {
	p = path.Clean("/" + p)
	if f, ok := fs[p]; ok {
		return f, true
	}
	prefix := strings.TrimSuffix(p, "/") + "/"
	for name := range fs {
		if strings.HasPrefix(name, prefix) {
			return FakeFile{Mode: os.ModeDir | 0o755}, true
		}
	}
	return FakeFile{}, false
}

func (f *Fake) archiveContainer(id, what string) (*FakeContainer, error) {
	c, err := f.container(id)
	if err != nil {
		return nil, fmt.Errorf("%s container %s: %w", what, id, err)
	}
	return c, nil
}

// ContainerStatPath stats a path of a fake container.
func (f *Fake) ContainerStatPath(ctx context.Context, id, p string) (engine.PathStat, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ContainerStatPath")
	c, err := f.archiveContainer(id, "stat in")
	if err != nil {
		return engine.PathStat{}, err
	}
	file, ok := stat(c.fs(), p)
	if !ok {
		return engine.PathStat{}, fmt.Errorf("stat %s in container %s: no such file or directory: %w", p, id, engine.ErrNotFound)
	}
	return engine.PathStat{Name: path.Base(p), Size: int64(len(file.Content)), Mode: file.Mode, LinkTarget: file.Link}, nil
}

// CopyFromContainer returns a tar of a path of a fake container.
func (f *Fake) CopyFromContainer(ctx context.Context, id, p string) (io.ReadCloser, engine.PathStat, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("CopyFromContainer")
	c, err := f.archiveContainer(id, "copy from")
	if err != nil {
		return nil, engine.PathStat{}, err
	}
	fs := c.fs()
	p = path.Clean("/" + p)
	file, ok := stat(fs, p)
	if !ok {
		return nil, engine.PathStat{}, fmt.Errorf("copy %s from container %s: no such file or directory: %w", p, id, engine.ErrNotFound)
	}
	base := path.Base(p)
	entries := map[string]FakeFile{base: file}
	if file.Mode.IsDir() {
		prefix := strings.TrimSuffix(p, "/") + "/"
		for name, sub := range fs {
			if rel, ok := strings.CutPrefix(name, prefix); ok {
				entries[path.Join(base, rel)] = sub
			}
		}
	}
	b, err := tarOf(entries)
	if err != nil {
		return nil, engine.PathStat{}, err
	}
	st := engine.PathStat{Name: base, Size: int64(len(file.Content)), Mode: file.Mode, LinkTarget: file.Link}
	return io.NopCloser(bytes.NewReader(b)), st, nil
}

// CopyToContainer extracts a tar into a folder of a fake container.
func (f *Fake) CopyToContainer(ctx context.Context, id, dir string, content io.Reader, copyUIDGID bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("CopyToContainer")
	c, err := f.archiveContainer(id, "copy to")
	if err != nil {
		return err
	}
	fs := c.fs()
	dir = path.Clean("/" + dir)
	if d, ok := stat(fs, dir); !ok || !d.Mode.IsDir() {
		return fmt.Errorf("copy to %s in container %s: not a directory: %w", dir, id, engine.ErrNotFound)
	}
	tr := tar.NewReader(content)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("copy to %s in container %s: %w", dir, id, err)
		}
		// As the daemon: the entries keep the owners their headers give,
		// and copyUIDGID (cp -a) makes them the container user's.
		file := FakeFile{Mode: h.FileInfo().Mode(), UID: h.Uid, GID: h.Gid}
		if copyUIDGID {
			file.UID, file.GID = userIDs(c.Spec.User)
		}
		switch h.Typeflag {
		case tar.TypeSymlink:
			file.Link = h.Linkname
		case tar.TypeReg:
			if file.Content, err = io.ReadAll(tr); err != nil {
				return err
			}
		}
		fs[path.Join(dir, h.Name)] = file
	}
}

// ContainerExport returns a tar of a fake container's whole filesystem.
func (f *Fake) ContainerExport(ctx context.Context, id string) (io.ReadCloser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ContainerExport")
	c, err := f.archiveContainer(id, "export")
	if err != nil {
		return nil, err
	}
	entries := map[string]FakeFile{}
	for name, file := range c.fs() {
		if name != "/" {
			entries[strings.TrimPrefix(name, "/")] = file
		}
	}
	b, err := tarOf(entries)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// ContainerCommit adds an image of a fake container, named opts.Reference.
func (f *Fake) ContainerCommit(ctx context.Context, id string, opts engine.CommitOptions) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ContainerCommit")
	c, err := f.archiveContainer(id, "commit")
	if err != nil {
		return "", err
	}
	img := engine.Image{ID: "sha256:" + newID(), Labels: map[string]string{}}
	if base, ok := f.image(c.Spec.Image); ok {
		img.User = base.User
	}
	if opts.Reference != "" {
		img.RepoTags = []string{opts.Reference}
	}
	f.addImage(img)
	return img.ID, nil
}

// ContainerStats samples a fake container: it runs nothing, so it uses
// nothing; a stopped one is all zeros too, as the daemon reports it.
func (f *Fake) ContainerStats(ctx context.Context, id string) (engine.Stats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ContainerStats")
	c, err := f.archiveContainer(id, "stats of")
	if err != nil {
		return engine.Stats{}, err
	}
	s := engine.Stats{}
	if c.State == "running" {
		s.PIDs = 1
	}
	return s, nil
}

// tarOf writes entries (relative names) as a tar, folders first.
func tarOf(entries map[string]FakeFile) ([]byte, error) {
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range names {
		file := entries[name]
		h := &tar.Header{Name: name, Mode: int64(file.Mode.Perm()), Uid: file.UID, Gid: file.GID}
		switch {
		case file.Mode.IsDir():
			h.Typeflag, h.Name = tar.TypeDir, name+"/"
		case file.Link != "":
			h.Typeflag, h.Linkname = tar.TypeSymlink, file.Link
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(file.Content))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(file.Content); err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// userIDs reads a container's numeric "uid[:gid]" user; a name or none is
// root here.
func userIDs(user string) (int, int) {
	u, g, _ := strings.Cut(user, ":")
	uid, err := strconv.Atoi(u)
	if err != nil {
		return 0, 0
	}
	gid, err := strconv.Atoi(g)
	if err != nil {
		gid = uid
	}
	return uid, gid
}
