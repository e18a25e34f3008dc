package engine

import (
	"context"
	"time"
)

// ContainerVerbs are the per-container operations of Compose's smaller
// verbs (pause, unpause, top) and the details `ps` shows beyond the list.
// Part of Docker.
type ContainerVerbs interface {
	// ContainerPause freezes a running container's processes; pausing one
	// that is not running is ErrConflict.
	ContainerPause(ctx context.Context, id string) error
	// ContainerUnpause resumes a paused container; one that is not paused
	// is ErrConflict.
	ContainerUnpause(ctx context.Context, id string) error
	// ContainerTop lists the processes of a running container, with ps's
	// column titles; psArgs are ps options ("" uses the daemon's -ef).
	ContainerTop(ctx context.Context, id string, psArgs string) (ProcessList, error)
	// ContainerDetails returns what a container runs and mounts.
	ContainerDetails(ctx context.Context, id string) (ContainerDetails, error)
	// ImageDetails returns an image's size, age and platform, for `images`.
	ImageDetails(ctx context.Context, ref string) (ImageDetails, error)
	// VolumeDetails returns where a volume lives, for `volumes`.
	VolumeDetails(ctx context.Context, name string) (VolumeDetails, error)
	// ContainerStats takes one sample of a container's resource use.
	ContainerStats(ctx context.Context, id string) (Stats, error)

	ContainerArchive
}

// Stats are one sample of a container's resource use, as `docker stats`
// shows it.
type Stats struct {
	CPUPercent float64 // of one CPU: 200 is two CPUs busy
	MemUsage   uint64  // bytes, without the page cache
	MemLimit   uint64
	NetRx      uint64
	NetTx      uint64
	BlockRead  uint64
	BlockWrite uint64
	PIDs       uint64
}

// ImageDetails are the inspected facts `images` shows.
type ImageDetails struct {
	ID           string
	Size         int64
	Created      time.Time // zero when unknown
	LastTagTime  time.Time // zero when never tagged here
	OS           string
	Architecture string
	Variant      string
}

// VolumeDetails are the inspected facts `volumes` shows.
type VolumeDetails struct {
	Mountpoint string
	Scope      string // "local" or "global"
}

// ProcessList is the output of ps in a container: Titles name the columns
// of each row of Processes.
type ProcessList struct {
	Titles    []string
	Processes [][]string
}

// ContainerDetails are the inspected settings `ps` shows.
type ContainerDetails struct {
	// Command is the entrypoint and command, joined by spaces, as the
	// daemon's container list shows it.
	Command string
	// Mounts name each mount's source: the volume's name, the bind's host
	// path, "" for a tmpfs.
	Mounts []string
	// LocalVolumes counts the mounts of volumes of the local driver.
	LocalVolumes int
}
