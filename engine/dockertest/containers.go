package dockertest

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"time"

	"github.com/stack-dev/stack/engine"
)

func testContainerLifecycle(h *harness) {
	spec := h.spec("web", "serve")
	spec.Labels = h.labels(engine.LabelService, "web")
	id := h.create(spec)

	st := h.inspect(id)
	if st.ID != id || st.Name != spec.Name || st.State != "created" || st.Running {
		h.Errorf("after create: got id %q name %q state %q running %v, want %q %q created false", st.ID, st.Name, st.State, st.Running, id, spec.Name)
	}
	if !hasLabels(st.Labels, spec.Labels) {
		h.Errorf("after create: labels %v, want %v", st.Labels, spec.Labels)
	}
	if st.Image != h.image || st.ImageID == "" {
		h.Errorf("after create: image %q id %q, want %q and an id", st.Image, st.ImageID, h.image)
	}
	if st, err := h.d.ContainerInspect(h.ctx, spec.Name); err != nil || st.ID != id {
		h.Errorf("inspect by name: got %q, %v; want %q", st.ID, err, id)
	}

	h.start(id)
	st = h.inspect(id)
	if st.State != "running" || !st.Running || st.StartedAt.IsZero() {
		h.Errorf("after start: state %q running %v started %v, want running", st.State, st.Running, st.StartedAt)
	}
	if err := h.d.ContainerStart(h.ctx, id); err != nil {
		h.Errorf("starting a running container: %v, want no error", err)
	}

	// serve exits 0 on SIGTERM once it has set up its handler, which it
	// has when it says it is listening; before that, the Go runtime of a
	// PID 1 that ignores SIGTERM's default action exits 2.
	h.waitForLog(id, "listening on")
	timeout := 10 * time.Second
	if err := h.d.ContainerStop(h.ctx, id, &timeout); err != nil {
		h.Fatalf("ContainerStop: %v", err)
	}
	if code := h.wait(id); code != 0 {
		h.Errorf("exit code after stop: %d, want 0", code)
	}
	st = h.inspect(id)
	if st.State != "exited" || st.Running || st.ExitCode != 0 || st.FinishedAt.IsZero() {
		h.Errorf("after stop: state %q running %v exit %d finished %v, want exited 0", st.State, st.Running, st.ExitCode, st.FinishedAt)
	}
	if err := h.d.ContainerStop(h.ctx, id, &timeout); err != nil {
		h.Errorf("stopping a stopped container: %v, want no error", err)
	}

	// Started again, it keeps the time of its last exit (logs -f resumes
	// from it).
	finished := st.FinishedAt
	h.start(id)
	if st := h.inspect(id); !st.Running || !st.FinishedAt.Equal(finished) {
		h.Errorf("after a second start: running %v finished %v, want running and the last exit %v", st.Running, st.FinishedAt, finished)
	}
	h.waitForLog(id, "listening on")
	if err := h.d.ContainerStop(h.ctx, id, &timeout); err != nil {
		h.Fatalf("ContainerStop: %v", err)
	}

	if err := h.d.ContainerRemove(h.ctx, id, false); err != nil {
		h.Fatalf("ContainerRemove: %v", err)
	}
	_, err := h.d.ContainerInspect(h.ctx, id)
	wantErr(h, "inspect after remove", err, engine.ErrNotFound)
}

func testAutoRemove(h *harness) {
	spec := h.spec("oneoff", "exit", "0")
	spec.AutoRemove = true
	id := h.run(spec)
	h.eventually("the daemon to remove the exited container", func() bool {
		_, err := h.d.ContainerInspect(h.ctx, id)
		return errors.Is(err, engine.ErrNotFound)
	})
	list, err := h.d.ContainerList(h.ctx, engine.Labels{engine.LabelProject: h.project})
	if err != nil {
		h.Fatalf("ContainerList: %v", err)
	}
	if len(list) != 0 {
		h.Errorf("listed %+v after auto-removal, want none", list)
	}
}

func testExitCodeAndLogs(h *harness) {
	id := h.run(h.spec("job", "exit", "3"))
	if code := h.wait(id); code != 3 {
		h.Errorf("ContainerWait: exit code %d, want 3", code)
	}
	if st := h.inspect(id); st.State != "exited" || st.ExitCode != 3 {
		h.Errorf("inspect: state %q exit %d, want exited 3", st.State, st.ExitCode)
	}
	list, err := h.d.ContainerList(h.ctx, engine.Labels{engine.LabelProject: h.project})
	if err != nil {
		h.Fatalf("ContainerList: %v", err)
	}
	if len(list) != 1 || !strings.HasPrefix(list[0].Status, "Exited (3)") {
		h.Errorf("listed: %+v, want one with status Exited (3)", list)
	}

	var stdout, stderr bytes.Buffer
	if err := h.d.ContainerLogs(h.ctx, id, engine.LogOptions{Tail: "all"}, &stdout, &stderr); err != nil {
		h.Fatalf("ContainerLogs: %v", err)
	}
	if got, want := stdout.String(), "stdout: exiting with 3\n"; got != want {
		h.Errorf("stdout: %q, want %q", got, want)
	}
	if got, want := stderr.String(), "stderr: exiting with 3\n"; got != want {
		h.Errorf("stderr: %q, want %q", got, want)
	}

	// Following a stopped container's log returns at its end.
	stdout.Reset()
	ctx, cancel := context.WithTimeout(h.ctx, 10*time.Second)
	defer cancel()
	if err := h.d.ContainerLogs(ctx, id, engine.LogOptions{Follow: true, Tail: "1"}, &stdout, &stdout); err != nil || ctx.Err() != nil {
		h.Errorf("following the log of an exited container: %v (ctx %v), want it to end at once", err, ctx.Err())
	}
}

// testRestartCount: a container that fails under on-failure:2 is
// restarted twice by the daemon and then stays exited; inspect counts the
// restarts. One that did not fail counts none.
func testRestartCount(h *harness) {
	ok := h.run(h.spec("ok", "serve"))
	if st := h.inspect(ok); st.RestartCount != 0 {
		h.Errorf("RestartCount of a container started once: %d, want 0", st.RestartCount)
	}
	spec := h.spec("flaky", "exit", "1")
	spec.RestartPolicy, spec.RestartMax = "on-failure", 2
	id := h.run(spec)
	var st engine.ContainerState
	h.eventually("two restarts by policy and the last exit", func() bool {
		st = h.inspect(id)
		return st.RestartCount == 2 && st.State == "exited"
	})
	if st.ExitCode != 1 {
		h.Errorf("exit code %d after the restarts, want 1", st.ExitCode)
	}
}

func testKillExitCode(h *harness) {
	id := h.run(h.spec("web", "serve"))
	if err := h.d.ContainerKill(h.ctx, id, "KILL"); err != nil {
		h.Fatalf("ContainerKill: %v", err)
	}
	if code := h.wait(id); code != 137 {
		h.Errorf("exit code after SIGKILL: %d, want 137", code)
	}
	if err := h.d.ContainerRemove(h.ctx, id, false); err != nil {
		h.Errorf("removing a killed container: %v", err)
	}
}

func testNameConflict(h *harness) {
	spec := h.spec("dup", "serve")
	running := h.run(spec)
	_, err := h.d.ContainerCreate(h.ctx, spec)
	wantErr(h, "creating a second container of the same name", err, engine.ErrConflict)

	err = h.d.ContainerRemove(h.ctx, running, false)
	wantErr(h, "removing a running container without force", err, engine.ErrConflict)
	if err := h.d.ContainerRemove(h.ctx, running, true); err != nil {
		h.Fatalf("force remove of a running container: %v", err)
	}
	if _, err := h.d.ContainerCreate(h.ctx, spec); err != nil {
		h.Errorf("creating again after remove: %v", err)
	}
}

func testRename(h *harness) {
	spec := h.spec("old", "serve")
	id := h.create(spec)
	taken := h.create(h.spec("taken", "serve"))
	newName := h.project + "-new"
	if err := h.d.ContainerRename(h.ctx, id, newName); err != nil {
		h.Fatalf("ContainerRename: %v", err)
	}
	if st := h.inspect(id); st.Name != newName {
		h.Errorf("name after rename: %q, want %q", st.Name, newName)
	}
	_, err := h.d.ContainerInspect(h.ctx, spec.Name)
	wantErr(h, "inspect by the old name", err, engine.ErrNotFound)
	err = h.d.ContainerRename(h.ctx, taken, newName)
	wantErr(h, "renaming to a taken name", err, engine.ErrConflict)
}

func testNotFound(h *harness) {
	missing := h.project + "-missing"
	timeout := time.Second
	checks := []struct {
		what string
		err  error
	}{
		{"ContainerInspect", second(h.d.ContainerInspect(h.ctx, missing))},
		{"ContainerStart", h.d.ContainerStart(h.ctx, missing)},
		{"ContainerStop", h.d.ContainerStop(h.ctx, missing, &timeout)},
		{"ContainerKill", h.d.ContainerKill(h.ctx, missing, "KILL")},
		{"ContainerRemove", h.d.ContainerRemove(h.ctx, missing, true)},
		{"ContainerRename", h.d.ContainerRename(h.ctx, missing, missing+"-2")},
		{"ContainerWait", second(h.d.ContainerWait(h.ctx, missing))},
		{"ContainerLogs", h.d.ContainerLogs(h.ctx, missing, engine.LogOptions{}, &bytes.Buffer{}, &bytes.Buffer{})},
		{"Exec", second(h.d.Exec(h.ctx, missing, []string{"/testimage", "exit", "0"}))},
		{"NetworkRemove", h.d.NetworkRemove(h.ctx, missing)},
		{"VolumeInspect", second(h.d.VolumeInspect(h.ctx, missing))},
		{"VolumeRemove", h.d.VolumeRemove(h.ctx, missing)},
		{"ContainerCreate with a missing image", second(h.d.ContainerCreate(h.ctx, engine.ContainerSpec{
			Name: missing, Image: "stack-test-missing-image:none", Labels: h.labels()}))},
	}
	for _, c := range checks {
		wantErr(h, c.what, c.err, engine.ErrNotFound)
	}
}

func second[T any](_ T, err error) error { return err }

func testListByLabel(h *harness) {
	a := h.spec("a", "serve")
	a.Labels = h.labels(engine.LabelService, "a")
	b := h.spec("b", "serve")
	b.Labels = h.labels(engine.LabelService, "b")
	idA, idB := h.create(a), h.run(b)

	cases := []struct {
		name   string
		filter engine.Labels
		want   []string
	}{
		{"project", engine.Labels{engine.LabelProject: h.project}, []string{idA, idB}},
		{"service value", engine.Labels{engine.LabelProject: h.project, engine.LabelService: "b"}, []string{idB}},
		{"key only", engine.Labels{engine.LabelProject: h.project, engine.LabelService: ""}, []string{idA, idB}},
		{"no match", engine.Labels{engine.LabelProject: h.project, engine.LabelService: "c"}, nil},
	}
	for _, c := range cases {
		list, err := h.d.ContainerList(h.ctx, c.filter)
		if err != nil {
			h.Fatalf("%s: ContainerList: %v", c.name, err)
		}
		got := map[string]engine.Container{}
		for _, ctr := range list {
			got[ctr.ID] = ctr
		}
		if len(got) != len(c.want) {
			h.Errorf("%s: listed %d containers, want %d", c.name, len(got), len(c.want))
		}
		for _, id := range c.want {
			if _, ok := got[id]; !ok {
				h.Errorf("%s: %s not listed", c.name, id)
			}
		}
	}
	list, _ := h.d.ContainerList(h.ctx, engine.Labels{engine.LabelProject: h.project, engine.LabelService: "a"})
	if len(list) == 1 && (list[0].Name != a.Name || list[0].State != "created" || list[0].Labels[engine.LabelService] != "a" || list[0].Created.IsZero()) {
		h.Errorf("listed created container: %+v, want name %q state created with labels", list[0], a.Name)
	}
	list, _ = h.d.ContainerList(h.ctx, engine.Labels{engine.LabelProject: h.project, engine.LabelService: "b"})
	if len(list) == 1 && (list[0].State != "running" || !strings.HasPrefix(list[0].Status, "Up ")) {
		h.Errorf("listed running container: state %q status %q, want running, Up ...", list[0].State, list[0].Status)
	}
}

func testHealthcheck(h *harness) {
	spec := h.spec("healthy", "serve", "--ready-after", "300ms")
	spec.Healthcheck = &engine.Healthcheck{
		Test:     []string{"CMD", "/testimage", "health"},
		Interval: 200 * time.Millisecond,
		Timeout:  2 * time.Second,
		Retries:  10,
	}
	id := h.run(spec)
	h.eventually("healthy", func() bool { return h.inspect(id).Health == "healthy" })
	if st := h.inspect(id); len(st.HealthLog) == 0 {
		h.Errorf("health log empty once healthy")
	}

	none := h.run(h.spec("no-healthcheck", "serve"))
	if st := h.inspect(none); st.Health != "" {
		h.Errorf("health of a container without healthcheck: %q, want empty", st.Health)
	}
}
