package engine

import (
	"context"
	"io"
	"os"
)

// ContainerArchive moves files in and out of containers through the
// daemon's archive API (`cp`), and turns containers into tarballs
// (`export`) and images (`commit`). Part of ContainerVerbs.
type ContainerArchive interface {
	// ContainerStatPath stats path in a container; a missing path is
	// ErrNotFound.
	ContainerStatPath(ctx context.Context, id, path string) (PathStat, error)
	// CopyFromContainer returns a tar of path (a file, or a folder and all
	// under it, named by path's base) and path's stat. The caller closes it.
	CopyFromContainer(ctx context.Context, id, path string) (io.ReadCloser, PathStat, error)
	// CopyToContainer extracts the tar content into the folder dir of the
	// container. The entries keep the owners their headers give; with
	// copyUIDGID (`cp -a`) they belong to the container's user instead.
	CopyToContainer(ctx context.Context, id, dir string, content io.Reader, copyUIDGID bool) error
	// ContainerExport returns the container's filesystem as a tar. The
	// caller closes it.
	ContainerExport(ctx context.Context, id string) (io.ReadCloser, error)
	// ContainerCommit makes an image of the container's changes and
	// returns its ID.
	ContainerCommit(ctx context.Context, id string, opts CommitOptions) (string, error)
	// RemoveFromContainer removes paths (relative to dir, slash-separated)
	// and everything under them from a running container. A path with a
	// symlink before its last element, or one leaving dir, is skipped (the
	// others are removed, the error names it), so nothing outside dir is
	// touched; a missing path is no error. It works in images with no shell
	// or tools (FROM scratch): what `stack watch` deletes with.
	RemoveFromContainer(ctx context.Context, id, dir string, paths []string) error
}

// PathStat describes a path in a container.
type PathStat struct {
	Name       string
	Size       int64
	Mode       os.FileMode
	LinkTarget string
}

// CommitOptions are the options of a ContainerCommit.
type CommitOptions struct {
	Reference string // repository[:tag] to name the image; "" for none
	Comment   string
	Author    string
	Changes   []string // Dockerfile instructions: "ENV A=b", "CMD [...]"
	// NoPause commits without pausing the container first.
	NoPause bool
}
