package devloop

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/stack-dev/stack/engine"
)

// syncSet is what one sync rule does for one batch: files to copy in and
// paths (relative to the target) to remove.
type syncSet struct {
	rule    *rule
	tar     []byte
	files   int      // regular files and links in tar
	removes []string // relative to Target
	skipped []string // host paths left out (links that leave the tree)
}

func (s *syncSet) empty() bool { return s.files == 0 && len(s.removes) == 0 && len(s.tar) == 0 }

// collect builds the sync set of rule r for changed host paths (paths the
// rule does not cover are left out).
func (r *rule) collect(changed []string) (*syncSet, error) {
	set := &syncSet{rule: r}
	copies := map[string]fs.FileInfo{} // host path -> info
	var walkErr error
	for _, p := range changed {
		rel, ok := r.rel(p)
		if !ok {
			continue
		}
		fi, err := os.Lstat(p)
		if os.IsNotExist(err) {
			if rel == "." && r.isDir || rel != "." && r.ignored(p, rel, true) {
				continue
			}
			set.removes = append(set.removes, rel)
			continue
		}
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			if !r.ignored(p, rel, false) {
				copies[p] = fi
			}
			continue
		}
		if r.ignored(p, rel, true) {
			continue
		}
		walkErr = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) {
					return nil
				}
				return err
			}
			qrel, _ := r.rel(q)
			if qrel != "." && r.ignored(q, qrel, d.IsDir()) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if q != p || rel != "." {
					if info, err := d.Info(); err == nil {
						copies[q] = info
					}
				}
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return nil
			}
			copies[q] = info
			return nil
		})
		if walkErr != nil {
			return nil, walkErr
		}
	}
	sort.Strings(set.removes)
	set.removes = outermost(set.removes)
	if len(copies) == 0 {
		return set, nil
	}
	// Parent folders under the rule's path go along, with their modes and
	// owners, so a new folder is created as it is on the host.
	if r.isDir {
		for p := range copies {
			for d := filepath.Dir(p); d != r.Path && strings.HasPrefix(d, r.Path+string(filepath.Separator)); d = filepath.Dir(d) {
				if _, ok := copies[d]; ok {
					break
				}
				if fi, err := os.Lstat(d); err == nil {
					copies[d] = fi
				}
			}
		}
	}
	names := make([]string, 0, len(copies))
	for p := range copies {
		names = append(names, p)
	}
	sort.Strings(names) // parents before children
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, p := range names {
		fi := copies[p]
		rel, _ := r.rel(p)
		link := ""
		if fi.Mode()&fs.ModeSymlink != 0 {
			var ok bool
			if link, ok = r.safeLink(p); !ok {
				set.skipped = append(set.skipped, p)
				continue
			}
		} else if !fi.Mode().IsRegular() && !fi.IsDir() {
			set.skipped = append(set.skipped, p) // sockets, devices, pipes
			continue
		}
		hdr, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return nil, err
		}
		hdr.Name = r.tarName(rel)
		hdr.Uname, hdr.Gname = "", ""
		if fi.IsDir() {
			hdr.Name += "/"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if fi.Mode().IsRegular() {
			if err := copyFile(tw, p, hdr.Size); err != nil {
				return nil, err
			}
		}
		if !fi.IsDir() {
			set.files++
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	set.tar = buf.Bytes()
	return set, nil
}

// copyFile writes size bytes of file p: a file that grew since its header
// was written is cut, one that shrank is padded, so the tar stays valid;
// the next event brings the final content.
func copyFile(w io.Writer, p string, size int64) error {
	f, err := os.Open(p)
	if err != nil {
		_, err = w.Write(make([]byte, size))
		return err
	}
	defer f.Close()
	n, err := io.CopyN(w, f, size)
	if err == io.EOF {
		_, err = w.Write(make([]byte, size-n))
	}
	return err
}

// safeLink returns the link text to write for symlink p, rewritten to the
// container's path when absolute, or false when the link points outside
// the rule's tree: it is not copied, so nothing in the container can reach
// out of target through it.
func (r *rule) safeLink(p string) (string, bool) {
	link, err := os.Readlink(p)
	if err != nil || !r.isDir {
		return "", false
	}
	dest := link
	if !filepath.IsAbs(dest) {
		dest = filepath.Join(filepath.Dir(p), link)
	}
	rel, ok := within(r.Path, filepath.Clean(dest))
	if !ok {
		return "", false
	}
	if resolved, err := filepath.EvalSymlinks(p); err == nil {
		root, err := filepath.EvalSymlinks(r.Path)
		if err != nil {
			return "", false
		}
		if _, ok := within(root, resolved); !ok {
			return "", false
		}
	}
	if filepath.IsAbs(link) {
		return r.containerPath(rel), true
	}
	return filepath.ToSlash(link), true
}

// tarBase is the folder in the container the tar is extracted in: the
// target of a folder rule, the target's folder for a single file.
func (r *rule) tarBase() string {
	if r.isDir {
		return r.Target
	}
	return path.Dir(r.Target)
}

// tarName is the name of host path rel in the tar, relative to tarBase.
func (r *rule) tarName(rel string) string {
	if !r.isDir {
		return path.Base(r.Target)
	}
	return rel
}

// reroot rewrites a tar's names under prefix, for extracting above a
// target folder that does not exist yet in the container.
func reroot(b []byte, prefix string) ([]byte, error) {
	prefix = strings.Trim(prefix, "/")
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if prefix != "" {
			h.Name = prefix + "/" + h.Name
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// put extracts the tar at the target; when the target folder is missing
// (a first sync), at its nearest existing parent with the names rerooted,
// so the daemon creates the rest. Extracting inside an existing folder is
// also what works in a read-only container with a volume there.
func (s *syncSet) put(ctx context.Context, d engine.Docker, id string) error {
	base := s.rule.tarBase()
	err := d.CopyToContainer(ctx, id, base, bytes.NewReader(s.tar), false)
	for dir := base; errors.Is(err, engine.ErrNotFound) && dir != "/"; {
		dir = path.Dir(dir)
		rooted, rerr := reroot(s.tar, strings.TrimPrefix(strings.TrimPrefix(base, dir), "/"))
		if rerr != nil {
			return rerr
		}
		err = d.CopyToContainer(ctx, id, dir, bytes.NewReader(rooted), false)
	}
	return err
}

// apply copies the set into every container and removes what was deleted.
func (s *syncSet) apply(ctx context.Context, d engine.Docker, ids []string) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, id := range ids {
		g.Go(func() error {
			if len(s.tar) > 0 {
				if err := s.put(ctx, d, id); err != nil {
					return err
				}
			}
			if len(s.removes) == 0 {
				return nil
			}
			dir, paths := s.rule.Target, s.removes
			if !s.rule.isDir {
				dir, paths = path.Dir(s.rule.Target), []string{path.Base(s.rule.Target)}
			}
			return d.RemoveFromContainer(ctx, id, dir, paths)
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("sync %s to %s: %w", s.rule.Path, s.rule.Target, err)
	}
	return nil
}

// outermost drops the sorted paths that lie under another one: removing a
// folder removes them.
func outermost(sorted []string) []string {
	var out []string
	for _, p := range sorted {
		if n := len(out); n > 0 && strings.HasPrefix(p, out[n-1]+"/") {
			continue
		}
		out = append(out, p)
	}
	return out
}
