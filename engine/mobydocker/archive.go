package mobydocker

import (
	"context"
	"encoding/json"
	"io"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/stack-dev/stack/engine"
)

func pathStat(s container.PathStat) engine.PathStat {
	return engine.PathStat{Name: s.Name, Size: s.Size, Mode: s.Mode, LinkTarget: s.LinkTarget}
}

// ContainerStatPath stats a path in a container.
func (c *Client) ContainerStatPath(ctx context.Context, id, path string) (_ engine.PathStat, err error) {
	defer c.trace("ContainerStatPath", id+":"+path)(&err)
	res, err := c.api.ContainerStatPath(ctx, id, client.ContainerStatPathOptions{Path: path})
	if err != nil {
		return engine.PathStat{}, pathErr("stat "+path+" in container "+id, path, err)
	}
	return pathStat(res.Stat), nil
}

// CopyFromContainer returns a tar of path in a container.
func (c *Client) CopyFromContainer(ctx context.Context, id, path string) (_ io.ReadCloser, _ engine.PathStat, err error) {
	defer c.trace("CopyFromContainer", id+":"+path)(&err)
	res, err := c.api.CopyFromContainer(ctx, id, client.CopyFromContainerOptions{SourcePath: path})
	if err != nil {
		return nil, engine.PathStat{}, pathErr("copy "+path+" from container "+id, path, err)
	}
	return res.Content, pathStat(res.Stat), nil
}

// CopyToContainer extracts a tar into a folder of a container.
func (c *Client) CopyToContainer(ctx context.Context, id, dir string, content io.Reader, copyUIDGID bool) (err error) {
	defer c.trace("CopyToContainer", id+":"+dir)(&err)
	_, err = c.api.CopyToContainer(ctx, id, client.CopyToContainerOptions{DestinationPath: dir, Content: content, CopyUIDGID: copyUIDGID})
	return pathErr("copy to "+dir+" in container "+id, dir, err)
}

// pathNotFound is a path missing in a container. The daemon's own message
// ("Could not find the file /x in container <64 hex digits>") repeats the
// container ID the caller's context already names.
type pathNotFound string

func (p pathNotFound) Error() string {
	return string(p) + ": no such file or directory in the container"
}
func (p pathNotFound) Is(target error) bool { return target == engine.ErrNotFound }

// pathErr is apiErr for the archive endpoints: a missing path is a
// pathNotFound, anything else (a missing container among them) as apiErr.
func pathErr(doing, path string, err error) error {
	if err != nil && cerrdefs.IsNotFound(err) && strings.Contains(err.Error(), "Could not find the file") {
		return pathNotFound(path)
	}
	return apiErr(doing, err)
}

// ContainerExport returns a container's filesystem as a tar.
func (c *Client) ContainerExport(ctx context.Context, id string) (_ io.ReadCloser, err error) {
	defer c.trace("ContainerExport", id)(&err)
	res, err := c.api.ContainerExport(ctx, id, client.ContainerExportOptions{})
	if err != nil {
		return nil, apiErr("export container "+id, err)
	}
	return res, nil
}

// ContainerCommit makes an image of a container.
func (c *Client) ContainerCommit(ctx context.Context, id string, opts engine.CommitOptions) (_ string, err error) {
	defer c.trace("ContainerCommit", id)(&err)
	res, err := c.api.ContainerCommit(ctx, id, client.ContainerCommitOptions{
		Reference: opts.Reference, Comment: opts.Comment, Author: opts.Author,
		Changes: opts.Changes, NoPause: opts.NoPause,
	})
	if err != nil {
		return "", apiErr("commit container "+id, err)
	}
	return res.ID, nil
}

// ContainerStats takes one sample of a container's resource use, worked
// out as `docker stats` does.
func (c *Client) ContainerStats(ctx context.Context, id string) (_ engine.Stats, err error) {
	defer c.trace("ContainerStats", id)(&err)
	res, err := c.api.ContainerStats(ctx, id, client.ContainerStatsOptions{Stream: false})
	if err != nil {
		return engine.Stats{}, apiErr("stats of container "+id, err)
	}
	defer res.Body.Close()
	var s container.StatsResponse
	if err := json.NewDecoder(res.Body).Decode(&s); err != nil {
		return engine.Stats{}, apiErr("stats of container "+id, err)
	}
	return statsOf(s), nil
}

func statsOf(s container.StatsResponse) engine.Stats {
	out := engine.Stats{MemLimit: s.MemoryStats.Limit, PIDs: s.PidsStats.Current}
	cpuDelta := float64(s.CPUStats.CPUUsage.TotalUsage) - float64(s.PreCPUStats.CPUUsage.TotalUsage)
	sysDelta := float64(s.CPUStats.SystemUsage) - float64(s.PreCPUStats.SystemUsage)
	cpus := float64(s.CPUStats.OnlineCPUs)
	if cpus == 0 {
		cpus = float64(len(s.CPUStats.CPUUsage.PercpuUsage))
	}
	if cpuDelta > 0 && sysDelta > 0 {
		out.CPUPercent = cpuDelta / sysDelta * cpus * 100
	}
	// Memory without the page cache, as docker stats shows it (cgroup v1
	// and v2 name it differently).
	out.MemUsage = s.MemoryStats.Usage
	for _, key := range []string{"total_inactive_file", "inactive_file"} {
		if v, ok := s.MemoryStats.Stats[key]; ok && v < out.MemUsage {
			out.MemUsage -= v
			break
		}
	}
	for _, n := range s.Networks {
		out.NetRx += n.RxBytes
		out.NetTx += n.TxBytes
	}
	for _, e := range s.BlkioStats.IoServiceBytesRecursive {
		switch strings.ToLower(e.Op) {
		case "read":
			out.BlockRead += e.Value
		case "write":
			out.BlockWrite += e.Value
		}
	}
	return out
}
