package dockertest

import (
	"slices"
	"strings"
	"time"

	"github.com/stack-dev/stack/engine"
)

// testPause: pause freezes a running container, which lists and inspects
// as paused until unpaused; both refuse a container in the wrong state.
func testPause(h *harness) {
	id := h.run(h.spec("web", "serve"))
	h.waitForLog(id, "listening on")
	if err := h.d.ContainerPause(h.ctx, id); err != nil {
		h.Fatalf("ContainerPause: %v", err)
	}
	if st := h.inspect(id); st.State != "paused" {
		h.Errorf("after pause: state %q, want paused", st.State)
	}
	list, err := h.d.ContainerList(h.ctx, engine.Labels{engine.LabelProject: h.project})
	if err != nil || len(list) != 1 || list[0].State != "paused" {
		h.Errorf("listed after pause: %+v, %v; want one paused container", list, err)
	}
	wantErr(h, "pausing a paused container", h.d.ContainerPause(h.ctx, id), engine.ErrConflict)
	if err := h.d.ContainerUnpause(h.ctx, id); err != nil {
		h.Fatalf("ContainerUnpause: %v", err)
	}
	if st := h.inspect(id); st.State != "running" || !st.Running {
		h.Errorf("after unpause: state %q running %v, want running", st.State, st.Running)
	}
	wantErr(h, "unpausing a running container", h.d.ContainerUnpause(h.ctx, id), engine.ErrConflict)

	// A paused container still stops.
	if err := h.d.ContainerPause(h.ctx, id); err != nil {
		h.Fatalf("ContainerPause: %v", err)
	}
	timeout := 10 * time.Second
	if err := h.d.ContainerStop(h.ctx, id, &timeout); err != nil {
		h.Fatalf("stopping a paused container: %v", err)
	}
	h.wait(id)
	if st := h.inspect(id); st.State != "exited" {
		h.Errorf("after stopping a paused container: state %q, want exited", st.State)
	}
	wantErr(h, "pausing a stopped container", h.d.ContainerPause(h.ctx, id), engine.ErrConflict)
	wantErr(h, "pausing a missing container", h.d.ContainerPause(h.ctx, h.project+"-nosuch"), engine.ErrNotFound)
}

// testTopAndDetails: top lists the container's command among its
// processes, with ps's titles; details name its command and mounts.
func testTopAndDetails(h *harness) {
	volume := h.project + "_top"
	if err := h.d.VolumeCreate(h.ctx, engine.VolumeSpec{Name: volume, Labels: h.labels()}); err != nil {
		h.Fatalf("VolumeCreate: %v", err)
	}
	spec := h.spec("web", "serve")
	spec.Mounts = []engine.Mount{{Type: "volume", Source: volume, Target: "/data"}}
	id := h.create(spec)
	_, err := h.d.ContainerTop(h.ctx, id, "")
	wantErr(h, "top of a container not started", err, engine.ErrConflict)

	h.start(id)
	h.waitForLog(id, "listening on")
	top, err := h.d.ContainerTop(h.ctx, id, "")
	if err != nil {
		h.Fatalf("ContainerTop: %v", err)
	}
	cmdCol := slices.Index(top.Titles, "CMD")
	pidCol := slices.Index(top.Titles, "PID")
	if cmdCol < 0 || pidCol < 0 {
		h.Fatalf("top titles %q, want PID and CMD", top.Titles)
	}
	found := false
	for _, p := range top.Processes {
		if len(p) != len(top.Titles) {
			h.Errorf("process %q has %d columns, titles %d", p, len(p), len(top.Titles))
			continue
		}
		found = found || strings.HasSuffix(p[cmdCol], "serve")
	}
	if !found {
		h.Errorf("top %q: no process running serve", top.Processes)
	}

	d, err := h.d.ContainerDetails(h.ctx, id)
	if err != nil {
		h.Fatalf("ContainerDetails: %v", err)
	}
	if !strings.HasSuffix(d.Command, "serve") {
		h.Errorf("command %q, want one ending in serve", d.Command)
	}
	if !slices.Equal(d.Mounts, []string{volume}) || d.LocalVolumes != 1 {
		h.Errorf("mounts %q, %d local volumes; want [%s], 1", d.Mounts, d.LocalVolumes, volume)
	}
	_, err = h.d.ContainerDetails(h.ctx, h.project+"-nosuch")
	wantErr(h, "details of a missing container", err, engine.ErrNotFound)
}

// testImageAndVolumeDetails: an image's ID and platform (and, on a real
// daemon, its size and age); a volume's mount point and scope.
func testImageAndVolumeDetails(h *harness) {
	img, err := h.d.ImageInspect(h.ctx, h.image)
	if err != nil {
		h.Fatalf("ImageInspect: %v", err)
	}
	d, err := h.d.ImageDetails(h.ctx, h.image)
	if err != nil {
		h.Fatalf("ImageDetails: %v", err)
	}
	if d.ID != img.ID || d.OS != "linux" || d.Architecture == "" {
		h.Errorf("image details %+v, want id %s, linux and an architecture", d, img.ID)
	}
	if !h.simulated() && (d.Size <= 0 || d.Created.IsZero()) {
		h.Errorf("image details %+v: want a size and a creation time", d)
	}
	_, err = h.d.ImageDetails(h.ctx, "stack-nosuch-image:none")
	wantErr(h, "details of a missing image", err, engine.ErrNotFound)

	name := h.project + "_details"
	if err := h.d.VolumeCreate(h.ctx, engine.VolumeSpec{Name: name, Labels: h.labels()}); err != nil {
		h.Fatalf("VolumeCreate: %v", err)
	}
	v, err := h.d.VolumeDetails(h.ctx, name)
	if err != nil {
		h.Fatalf("VolumeDetails: %v", err)
	}
	if !strings.Contains(v.Mountpoint, name) || v.Scope != "local" {
		h.Errorf("volume details %+v, want a mount point naming %s and scope local", v, name)
	}
	_, err = h.d.VolumeDetails(h.ctx, h.project+"_nosuch")
	wantErr(h, "details of a missing volume", err, engine.ErrNotFound)
}
