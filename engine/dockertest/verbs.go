package dockertest

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
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

// testArchive: a tar copied into a container comes back out, a folder
// with all under it; the container exports with it and commits to an
// image that can be inspected.
func testArchive(h *harness) {
	id := h.create(h.spec("files", "serve"))
	var in bytes.Buffer
	tw := tar.NewWriter(&in)
	for _, e := range []struct {
		name, content string
	}{{"stackcp/", ""}, {"stackcp/hello.txt", "hello archive"}, {"stackcp/sub/", ""}, {"stackcp/sub/deep.txt", "deep"}} {
		hdr := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.content)), Typeflag: tar.TypeReg, Uid: 1234, Gid: 1234}
		if strings.HasSuffix(e.name, "/") {
			hdr.Typeflag, hdr.Mode, hdr.Size = tar.TypeDir, 0o755, 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			h.Fatal(err)
		}
		tw.Write([]byte(e.content))
	}
	tw.Close()
	if err := h.d.CopyToContainer(h.ctx, id, "/", &in, true); err != nil {
		h.Fatalf("CopyToContainer: %v", err)
	}
	st, err := h.d.ContainerStatPath(h.ctx, id, "/stackcp/hello.txt")
	if err != nil || st.Name != "hello.txt" || st.Size != int64(len("hello archive")) || st.Mode.IsDir() {
		h.Errorf("stat of the copied file: %+v, %v", st, err)
	}
	if st, err := h.d.ContainerStatPath(h.ctx, id, "/stackcp"); err != nil || !st.Mode.IsDir() {
		h.Errorf("stat of the copied folder: %+v, %v; want a folder", st, err)
	}
	_, err = h.d.ContainerStatPath(h.ctx, id, "/stackcp/nosuch")
	wantErr(h, "stat of a missing path", err, engine.ErrNotFound)

	out, st, err := h.d.CopyFromContainer(h.ctx, id, "/stackcp")
	if err != nil {
		h.Fatalf("CopyFromContainer: %v", err)
	}
	files := readTar(h, out)
	if !st.Mode.IsDir() || files["stackcp/hello.txt"] != "hello archive" || files["stackcp/sub/deep.txt"] != "deep" {
		h.Errorf("copied out %v (stat %+v), want the folder with both files", files, st)
	}
	_, _, err = h.d.CopyFromContainer(h.ctx, id, "/stackcp/nosuch")
	wantErr(h, "copy of a missing path", err, engine.ErrNotFound)

	exp, err := h.d.ContainerExport(h.ctx, id)
	if err != nil {
		h.Fatalf("ContainerExport: %v", err)
	}
	if all := readTar(h, exp); all["stackcp/sub/deep.txt"] != "deep" {
		h.Errorf("export has no stackcp/sub/deep.txt (%d entries)", len(all))
	}

	ref := "stack-commit-" + h.project + ":1"
	imgID, err := h.d.ContainerCommit(h.ctx, id, engine.CommitOptions{Reference: ref, Comment: "conformance"})
	if err != nil {
		h.Fatalf("ContainerCommit: %v", err)
	}
	h.Cleanup(func() { h.d.ImageRemove(context.Background(), ref) })
	if img, err := h.d.ImageInspect(h.ctx, ref); err != nil || img.ID != imgID {
		h.Errorf("committed image %s: %+v, %v; want id %s", ref, img, err, imgID)
	}
}

// testStats: a running container has at least one process and memory in
// use (on a real daemon); a missing one is ErrNotFound.
func testStats(h *harness) {
	id := h.run(h.spec("stats", "serve"))
	h.waitForLog(id, "listening on")
	s, err := h.d.ContainerStats(h.ctx, id)
	if err != nil {
		h.Fatalf("ContainerStats: %v", err)
	}
	if s.PIDs < 1 || !h.simulated() && s.MemUsage == 0 {
		h.Errorf("stats of a running container: %+v, want a process and memory in use", s)
	}
	_, err = h.d.ContainerStats(h.ctx, h.project+"-nosuch")
	wantErr(h, "stats of a missing container", err, engine.ErrNotFound)
}

func readTar(h *harness, r io.ReadCloser) map[string]string {
	h.Helper()
	defer r.Close()
	out := map[string]string{}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			h.Fatalf("reading tar: %v", err)
		}
		b, _ := io.ReadAll(tr)
		out[strings.TrimPrefix(hdr.Name, "/")] = string(b)
	}
}

// testImageRetag: a build that moves a tag leaves the image it took it
// from in place while a container was created from it (removing it by ID
// is ErrConflict), and removable once that container is gone.
func testImageRetag(h *harness) {
	ref := "stack-retag-" + h.project + ":latest"
	build := func(label string) string {
		h.Helper()
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		dockerfile := []byte("FROM scratch\nLABEL step=" + label + "\n")
		if err := tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(dockerfile))}); err != nil {
			h.Fatal(err)
		}
		tw.Write(dockerfile) //nolint:errcheck // a bytes.Buffer does not fail
		tw.Close()           //nolint:errcheck // as above
		id, err := h.d.ImageBuild(h.ctx, &buf, engine.BuildSpec{Tags: []string{ref}, Dockerfile: "Dockerfile", Labels: h.labels()}, nil)
		if err != nil {
			h.Fatalf("ImageBuild: %v", err)
		}
		h.Cleanup(func() { h.d.ImageRemove(context.Background(), id) })
		return id
	}
	first := build("1")
	c := h.create(engine.ContainerSpec{Name: h.project + "-retag", Image: first, Cmd: []string{"none"}, Labels: h.labels()})
	second := build("2")
	if second == first {
		h.Fatalf("a changed Dockerfile built the same image %s", first)
	}
	if _, err := h.d.ImageInspect(h.ctx, first); err != nil {
		h.Fatalf("the image a container was created from went with its tag: %v", err)
	}
	wantErr(h, "removing an image a container uses", h.d.ImageRemove(h.ctx, first), engine.ErrConflict)
	if err := h.d.ContainerRemove(h.ctx, c, true); err != nil {
		h.Fatalf("ContainerRemove: %v", err)
	}
	if err := h.d.ImageRemove(h.ctx, first); err != nil {
		h.Fatalf("removing the untagged image once unused: %v", err)
	}
}
