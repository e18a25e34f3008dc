package dockertest

import (
	"bytes"

	"github.com/stack-dev/stack/engine"
)

func testVolumes(h *harness) {
	name := h.project + "_data"
	spec := engine.VolumeSpec{Name: name, Labels: h.labels(engine.LabelVolume, "data")}
	if err := h.d.VolumeCreate(h.ctx, spec); err != nil {
		h.Fatalf("VolumeCreate: %v", err)
	}
	if err := h.d.VolumeCreate(h.ctx, spec); err != nil {
		h.Errorf("creating an existing volume again: %v, want no error", err)
	}
	v, err := h.d.VolumeInspect(h.ctx, name)
	if err != nil {
		h.Fatalf("VolumeInspect: %v", err)
	}
	if v.Name != name || v.Driver == "" || !hasLabels(v.Labels, spec.Labels) {
		h.Errorf("inspected %+v, want name %s, a driver and labels %v", v, name, spec.Labels)
	}
	list, err := h.d.VolumeList(h.ctx, engine.Labels{engine.LabelProject: h.project})
	if err != nil {
		h.Fatalf("VolumeList: %v", err)
	}
	if len(list) != 1 || list[0].Name != name {
		h.Errorf("volumes of the project: %v, want just %s", list, name)
	}

	mount := []engine.Mount{{Type: "volume", Source: name, Target: "/data"}}
	writer := h.spec("writer", "write", "/data/greeting", "hello volume")
	writer.Mounts = mount
	if code := h.wait(h.run(writer)); code != 0 {
		h.Fatalf("writer exited %d", code)
	}
	reader := h.spec("reader", "cat", "/data/greeting")
	reader.Mounts = mount
	readerID := h.run(reader)
	if code := h.wait(readerID); code != 0 {
		h.Fatalf("reader exited %d", code)
	}
	var out bytes.Buffer
	if err := h.d.ContainerLogs(h.ctx, readerID, engine.LogOptions{}, &out, &out); err != nil {
		h.Fatalf("ContainerLogs: %v", err)
	}
	if out.String() != "hello volume" {
		h.Errorf("read back %q, want %q", out.String(), "hello volume")
	}

	err = h.d.VolumeRemove(h.ctx, name)
	wantErr(h, "removing a volume in use", err, engine.ErrConflict)
	for _, id := range []string{writer.Name, reader.Name} {
		if err := h.d.ContainerRemove(h.ctx, id, true); err != nil {
			h.Fatalf("ContainerRemove: %v", err)
		}
	}
	if err := h.d.VolumeRemove(h.ctx, name); err != nil {
		h.Fatalf("VolumeRemove: %v", err)
	}
	_, err = h.d.VolumeInspect(h.ctx, name)
	wantErr(h, "inspect after remove", err, engine.ErrNotFound)
}
