// Package rmhelper removes paths inside a container for `stack watch`: the
// archive API can only add files, and the images it syncs into may have no
// shell or rm (FROM scratch). Every program that imports this package is
// the helper when it is started under the name [Name] with [Env]=1: this
// package's init then removes the paths and exits, before main runs. The
// stack binary imports it through the moby adapter, which copies that very
// binary into a container (when it is a static Linux executable of the
// daemon's architecture, as released builds are) and runs it as
//
//	/.stack-rmhelper DIR PATH...
//
// Each PATH is relative to DIR. A PATH that is absolute, leaves DIR (..) or
// has a symlink before its last element is skipped with a message, so
// nothing outside DIR is removed; the last element itself, when a symlink,
// is removed as the link. Missing paths are fine. Standard library only:
// the adapter can also build it alone (see its fallback).
package rmhelper

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// Name is the helper's file name in a container; Env=1 is in its
// environment, so no program turns into the helper by its name alone.
const (
	Name = ".stack-rmhelper"
	Env  = "STACK_RMHELPER"
)

func init() {
	if len(os.Args) > 0 && path.Base(os.Args[0]) == Name && os.Getenv(Env) == "1" {
		os.Exit(Main(os.Args[1:], os.Stderr))
	}
}

// Main removes args[1:] under the folder args[0] and returns the exit code:
// 0, 1 when a path could not be removed or was skipped, 2 for bad usage.
func Main(args []string, stderr io.Writer) int {
	if len(args) < 1 {
		fmt.Fprintln(stderr, "usage: "+Name+" DIR PATH...")
		return 2
	}
	code := 0
	for _, p := range args[1:] {
		if err := remove(args[0], p); err != nil {
			fmt.Fprintln(stderr, "rmhelper: "+err.Error())
			code = 1
		}
	}
	return code
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
