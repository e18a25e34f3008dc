// Command rmhelper removes paths inside a container for `stack watch`: the
// archive API can only add files, and the images it syncs into may have no
// shell or rm (FROM scratch). The moby adapter builds it statically, copies
// it into the container once and runs it as
//
//	rmhelper DIR PATH...
//
// Each PATH is relative to DIR. A PATH that is absolute, leaves DIR (..) or
// has a symlink before its last element is skipped with a message, so
// nothing outside DIR is removed; the last element itself, when a symlink,
// is removed as the link. Missing paths are fine. Standard library only.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: rmhelper DIR PATH...")
		os.Exit(2)
	}
	code := 0
	for _, p := range os.Args[2:] {
		if err := remove(os.Args[1], p); err != nil {
			fmt.Fprintln(os.Stderr, "rmhelper: "+err.Error())
			code = 1
		}
	}
	os.Exit(code)
}

// remove removes rel under dir, refusing to leave dir.
func remove(dir, rel string) error {
	clean := path.Clean("/" + rel)[1:]
	if clean == "" || rel != clean && rel != clean+"/" || strings.HasPrefix(rel, "/") {
		return fmt.Errorf("skip %q: not a plain path under %s", rel, dir)
	}
	parts := strings.Split(clean, "/")
	cur := dir
	for _, part := range parts[:len(parts)-1] {
		cur = path.Join(cur, part)
		fi, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			return fmt.Errorf("skip %q: %s is not a folder", rel, cur)
		}
	}
	return os.RemoveAll(path.Join(cur, parts[len(parts)-1]))
}
