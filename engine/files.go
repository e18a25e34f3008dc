package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"

	"github.com/moby/go-archive"
)

// replica returns the container of a service's replica index (0: 1), in
// any state, going by labels.
func (e *Engine) replica(ctx context.Context, project, service string, index int) (ObservedContainer, error) {
	if index <= 0 {
		index = 1
	}
	obs, err := e.observe(ctx, project)
	if err != nil {
		return ObservedContainer{}, err
	}
	replicas := obs.ServiceContainers(service)
	for _, c := range replicas {
		if c.Number == index {
			return c, nil
		}
	}
	if len(replicas) == 0 {
		return ObservedContainer{}, fmt.Errorf("service %s has no container; create it with `stack up -d %s`", service, service)
	}
	return ObservedContainer{}, fmt.Errorf("service %s has no replica %d (it has %d)", service, index, len(replicas))
}

// CopyOptions tune `cp`.
type CopyOptions struct {
	Index int // replica, 0: 1
	// Archive is cp -a: the daemon's CopyUIDGID, as docker cp -a sends it.
	Archive bool
	// FollowLink copies what a symlink source points to (-L).
	FollowLink bool
}

// CopyFrom copies src from a service container to dst on this machine, as
// `docker cp` does: into dst when it is a folder, else as dst. dst "-"
// writes the tar to out.
func (e *Engine) CopyFrom(ctx context.Context, project, service, src, dst string, opts CopyOptions, out io.Writer) error {
	c, err := e.replica(ctx, project, service, opts.Index)
	if err != nil {
		return err
	}
	if opts.FollowLink {
		st, err := e.docker.ContainerStatPath(ctx, c.ID, src)
		if err != nil {
			return fmt.Errorf("copy from %s: %w", c.Name, err)
		}
		if st.Mode&os.ModeSymlink != 0 && st.LinkTarget != "" {
			target := st.LinkTarget
			if !path.IsAbs(target) {
				target = path.Join(path.Dir(src), target)
			}
			src = archive.PreserveTrailingDotOrSeparator(target, src)
		}
	}
	content, st, err := e.docker.CopyFromContainer(ctx, c.ID, src)
	if err != nil {
		return fmt.Errorf("copy from %s: %w", c.Name, err)
	}
	defer content.Close()
	if dst == "-" {
		_, err := io.Copy(out, content)
		return err
	}
	info := archive.CopyInfo{Path: src, Exists: true, IsDir: st.Mode.IsDir()}
	if err := archive.CopyTo(content, info, dst); err != nil {
		return fmt.Errorf("copy from %s to %s: %w", c.Name, dst, err)
	}
	return nil
}

// CopyTo copies src on this machine (or, for "-", the tar in in) to dst in
// a service container: into dst when it is a folder there, else as dst.
func (e *Engine) CopyTo(ctx context.Context, project, service, src, dst string, opts CopyOptions, in io.Reader) error {
	c, err := e.replica(ctx, project, service, opts.Index)
	if err != nil {
		return err
	}
	if src == "-" {
		if err := e.docker.CopyToContainer(ctx, c.ID, dst, in, opts.Archive); err != nil {
			return fmt.Errorf("copy to %s: %w", c.Name, err)
		}
		return nil
	}
	srcInfo, err := archive.CopyInfoSourcePath(src, opts.FollowLink)
	if errors.Is(err, fs.ErrNotExist) {
		// go-archive's message names its own normalised path ("lstat //x").
		return fmt.Errorf("copy %s: no such file or directory", src)
	}
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	content, err := archive.TarResource(srcInfo)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	defer content.Close()
	dstInfo := archive.CopyInfo{Path: dst}
	st, err := e.docker.ContainerStatPath(ctx, c.ID, dst)
	switch {
	case err == nil:
		dstInfo.Exists, dstInfo.IsDir = true, st.Mode.IsDir()
	case !errors.Is(err, ErrNotFound):
		return fmt.Errorf("copy to %s: %w", c.Name, err)
	}
	dir, prepared, err := archive.PrepareArchiveCopy(content, srcInfo, dstInfo)
	if err != nil {
		return fmt.Errorf("copy %s to %s: %w", src, c.Name, err)
	}
	defer prepared.Close()
	if err := e.docker.CopyToContainer(ctx, c.ID, dir, prepared, opts.Archive); err != nil {
		return fmt.Errorf("copy to %s: %w", c.Name, err)
	}
	return nil
}

// Export writes the filesystem of a service container as a tar to out.
func (e *Engine) Export(ctx context.Context, project, service string, index int, out io.Writer) error {
	c, err := e.replica(ctx, project, service, index)
	if err != nil {
		return err
	}
	r, err := e.docker.ContainerExport(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("export %s: %w", c.Name, err)
	}
	defer r.Close()
	_, err = io.Copy(out, r)
	return err
}

// Commit makes an image of a service container and returns its ID.
func (e *Engine) Commit(ctx context.Context, project, service string, index int, opts CommitOptions) (string, error) {
	c, err := e.replica(ctx, project, service, index)
	if err != nil {
		return "", err
	}
	id, err := e.docker.ContainerCommit(ctx, c.ID, opts)
	if err != nil {
		return "", fmt.Errorf("commit %s: %w", c.Name, err)
	}
	return id, nil
}

// ContainerStats is one container's sample, for `stats`.
type ContainerStats struct {
	ID      string
	Name    string
	Service string
	Stats
}

// Stats samples the project's running containers (with all, the stopped
// ones too, as zeros), by service and number.
func (e *Engine) Stats(ctx context.Context, project string, services []string, all bool) ([]ContainerStats, error) {
	obs, err := e.observe(ctx, project)
	if err != nil {
		return nil, err
	}
	picked := filterContainers(obs.Containers, services, func(c ObservedContainer) bool { return all || c.Running() })
	out := make([]ContainerStats, len(picked))
	err = e.inParallel(ctx, picked, func(i int, c ObservedContainer) error {
		out[i] = ContainerStats{ID: c.ID, Name: c.Name, Service: c.Service}
		if !c.Running() {
			return nil
		}
		s, err := e.docker.ContainerStats(ctx, c.ID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("stats of %s: %w", c.Name, err)
		}
		out[i].Stats = s
		return nil
	})
	return out, err
}
