// Package dryrun is an engine.Docker decorator for --dry-run: it passes
// reads (lists, inspects, logs, events) to the daemon and, for every call
// that would change something, prints what it would do and changes
// nothing, as Compose's dry-run client does. See [New].
package dryrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/stack-dev/stack/engine"
)

// idPrefix marks the IDs of containers the dry run only pretended to
// create.
const idPrefix = "dry-run-"

// pretendImage is the ID of every image the dry run pretended to build,
// pull or commit: short enough that the progress line's 12-character ID
// shows it whole ("built: dry-run").
const pretendImage = "dry-run"

// Docker is a dry-run engine.Docker over a real one.
type Docker struct {
	engine.Docker
	w  io.Writer
	mu sync.Mutex
	// created are the containers pretended into being, by ID.
	created map[string]engine.ContainerSpec
	// images are the images pretended built or pulled, by reference, for
	// an inspect after the build (stack --dry-run build of a new image).
	images map[string]engine.Image
}

var _ engine.Docker = (*Docker)(nil)

// New returns d in dry-run mode, saying what it would do on w.
func New(d engine.Docker, w io.Writer) *Docker {
	return &Docker{Docker: d, w: w, created: map[string]engine.ContainerSpec{}, images: map[string]engine.Image{}}
}

func (d *Docker) say(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fmt.Fprintf(d.w, "dry-run: would "+format+"\n", args...)
}

// name is the container's name for messages.
func (d *Docker) name(ctx context.Context, id string) string {
	d.mu.Lock()
	spec, ok := d.created[id]
	d.mu.Unlock()
	if ok {
		return spec.Name
	}
	if st, err := d.Docker.ContainerInspect(ctx, id); err == nil {
		return st.Name
	}
	return id
}

func (d *Docker) ContainerInspect(ctx context.Context, id string) (engine.ContainerState, error) {
	d.mu.Lock()
	spec, ok := d.created[id]
	d.mu.Unlock()
	if !ok {
		return d.Docker.ContainerInspect(ctx, id)
	}
	return engine.ContainerState{
		Container: engine.Container{ID: id, Name: spec.Name, Image: spec.Image, Labels: spec.Labels, State: "running"},
		Running:   true, StartedAt: time.Now(),
	}, nil
}

func (d *Docker) ContainerCreate(ctx context.Context, spec engine.ContainerSpec) (string, error) {
	d.say("create container %s (image %s)", spec.Name, spec.Image)
	id := idPrefix + spec.Name
	d.mu.Lock()
	d.created[id] = spec
	d.mu.Unlock()
	return id, nil
}

func (d *Docker) ContainerStart(ctx context.Context, id string) error {
	d.say("start container %s", d.name(ctx, id))
	return nil
}

func (d *Docker) ContainerStop(ctx context.Context, id string, timeout *time.Duration) error {
	d.say("stop container %s", d.name(ctx, id))
	return nil
}

func (d *Docker) ContainerKill(ctx context.Context, id string, signal string) error {
	if signal == "" {
		signal = "KILL"
	}
	d.say("send %s to container %s", strings.TrimPrefix(strings.ToUpper(signal), "SIG"), d.name(ctx, id))
	return nil
}

func (d *Docker) ContainerRemove(ctx context.Context, id string, force bool) error {
	d.say("remove container %s", d.name(ctx, id))
	return nil
}

func (d *Docker) ContainerRename(ctx context.Context, id, name string) error {
	d.say("rename container %s to %s", d.name(ctx, id), name)
	return nil
}

func (d *Docker) ContainerPause(ctx context.Context, id string) error {
	d.say("pause container %s", d.name(ctx, id))
	return nil
}

func (d *Docker) ContainerUnpause(ctx context.Context, id string) error {
	d.say("unpause container %s", d.name(ctx, id))
	return nil
}

// ContainerWait returns at once: a dry run waits for nothing.
func (d *Docker) ContainerWait(ctx context.Context, id string) (int, error) { return 0, nil }

func (d *Docker) ContainerAttach(ctx context.Context, id string, opts engine.AttachOptions) (func() error, error) {
	d.say("attach to container %s", d.name(ctx, id))
	return func() error { return nil }, nil
}

func (d *Docker) Exec(ctx context.Context, id string, cmd []string) (engine.ExecResult, error) {
	d.say("run %q in container %s", strings.Join(cmd, " "), d.name(ctx, id))
	return engine.ExecResult{}, nil
}

func (d *Docker) ExecAttach(ctx context.Context, id string, opts engine.ExecOptions) (int, error) {
	d.say("run %q in container %s", strings.Join(opts.Cmd, " "), d.name(ctx, id))
	return 0, nil
}

func (d *Docker) NetworkCreate(ctx context.Context, spec engine.NetworkSpec) (string, error) {
	d.say("create network %s", spec.Name)
	return idPrefix + spec.Name, nil
}

func (d *Docker) NetworkRemove(ctx context.Context, id string) error {
	d.say("remove network %s", id)
	return nil
}

func (d *Docker) VolumeCreate(ctx context.Context, spec engine.VolumeSpec) error {
	d.say("create volume %s", spec.Name)
	return nil
}

func (d *Docker) VolumeRemove(ctx context.Context, name string) error {
	d.say("remove volume %s", name)
	return nil
}

func (d *Docker) ImagePull(ctx context.Context, ref string, fn func(engine.Progress)) error {
	d.say("pull image %s", ref)
	d.pretend(engine.Image{ID: pretendImage, RepoTags: []string{ref}})
	return nil
}

// pretend records img as made under each of its names, unless the daemon
// has it already (then inspects see the daemon's).
func (d *Docker) pretend(img engine.Image) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, ref := range img.RepoTags {
		d.images[ref] = img
	}
}

// ImageInspect is the daemon's image, or the one the dry run pretended to
// build or pull where the daemon has none.
func (d *Docker) ImageInspect(ctx context.Context, ref string) (engine.Image, error) {
	img, err := d.Docker.ImageInspect(ctx, ref)
	if errors.Is(err, engine.ErrNotFound) {
		d.mu.Lock()
		pretended, ok := d.images[ref]
		d.mu.Unlock()
		if ok {
			return pretended, nil
		}
	}
	return img, err
}

func (d *Docker) ImageBuild(ctx context.Context, buildContext io.Reader, spec engine.BuildSpec, fn func(engine.Progress)) (string, error) {
	d.say("build image %s", strings.Join(spec.Tags, ", "))
	// The context's tar is written by a goroutine that logs an error to
	// stderr when its reader goes away unread; a dry run reads it through.
	if buildContext != nil {
		if _, err := io.Copy(io.Discard, buildContext); err != nil {
			return "", fmt.Errorf("read build context: %w", err)
		}
	}
	d.pretend(engine.Image{ID: pretendImage, RepoTags: spec.Tags, Labels: spec.Labels})
	return pretendImage, nil
}

func (d *Docker) ImagePush(ctx context.Context, ref string, fn func(engine.Progress)) error {
	d.say("push image %s", ref)
	return nil
}

func (d *Docker) ImageTag(ctx context.Context, source, target string) error {
	d.say("tag image %s as %s", source, target)
	return nil
}

func (d *Docker) ImageRemove(ctx context.Context, ref string) error {
	d.say("remove image %s", ref)
	return nil
}

func (d *Docker) CopyToContainer(ctx context.Context, id, dir string, content io.Reader, copyUIDGID bool) error {
	d.say("copy files to %s in container %s", dir, d.name(ctx, id))
	return nil
}

func (d *Docker) ContainerCommit(ctx context.Context, id string, opts engine.CommitOptions) (string, error) {
	d.say("commit container %s as %s", d.name(ctx, id), opts.Reference)
	return pretendImage, nil
}
