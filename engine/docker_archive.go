package engine

import (
	"context"
	"io"
)

// ArchiveDocker moves files in and out of containers through the daemon's
// archive API, without running anything the image has: what `stack watch`
// syncs with.
type ArchiveDocker interface {
	// CopyToContainer extracts a tar stream into dir of a container (dir
	// must exist); entries keep the modes and owners their headers give.
	CopyToContainer(ctx context.Context, id, dir string, tar io.Reader) error
	// CopyFromContainer returns path of a container as a tar stream whose
	// entries are named from path's base name, as `docker cp` does.
	CopyFromContainer(ctx context.Context, id, path string) (io.ReadCloser, error)
	// RemoveFromContainer removes paths (relative to dir, slash-separated)
	// and everything under them from a running container. A path with a
	// symlink before its last element, or one leaving dir, is skipped (the
	// others are removed, the error names it), so nothing outside dir is
	// touched; a missing path is no error. It works in images with no shell
	// or tools (FROM scratch).
	RemoveFromContainer(ctx context.Context, id, dir string, paths []string) error
}
