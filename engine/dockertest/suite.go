// Package dockertest is the conformance suite of engine.Docker: one set of
// tests of the interface contract that the real adapter (mobydocker,
// against the daemon) and the in-memory fake (dockerfake) both pass, so the
// engine's tests on the fake mean something for the real daemon.
package dockertest

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/testenv"
)

// Simulated is implemented by fakes that run no processes and have no real
// networking; the suite skips what needs them (DNS between containers).
type Simulated interface{ Simulated() bool }

// Run runs the suite. newDocker returns the implementation under test for
// one subtest; image is the test image (internal/testimage): the fake must
// know it and emulate the commands the suite runs in it (see
// dockerfake's conformance test). Subtests run in parallel, each in its own
// project, and remove everything they labelled even when they fail.
func Run(t *testing.T, newDocker func(t *testing.T) engine.Docker, image string) {
	tests := []struct {
		name string
		run  func(h *harness)
	}{
		{"ContainerLifecycle", testContainerLifecycle},
		{"ExitCodeAndLogs", testExitCodeAndLogs},
		{"KillExitCode", testKillExitCode},
		{"RestartCount", testRestartCount},
		{"AutoRemove", testAutoRemove},
		{"NameConflict", testNameConflict},
		{"Rename", testRename},
		{"NotFound", testNotFound},
		{"ListByLabel", testListByLabel},
		{"Healthcheck", testHealthcheck},
		{"Networks", testNetworks},
		{"NetworkDNSAliases", testNetworkDNSAliases},
		{"Volumes", testVolumes},
		{"Events", testEvents},
		{"Exec", testExec},
		{"ExecAttach", testExecAttach},
		{"ContainerAttach", testContainerAttach},
		{"Pause", testPause},
		{"TopAndDetails", testTopAndDetails},
		{"ImageAndVolumeDetails", testImageAndVolumeDetails},
		{"Archive", testArchive},
		{"Stats", testStats},
		{"RemoveFromContainer", testRemoveFromContainer},
		{"ImageRetag", testImageRetag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(newHarness(t, newDocker(t), image))
		})
	}
}

// harness is one subtest's view: the implementation, a project of its own
// and a deadline so a broken implementation fails instead of hanging.
type harness struct {
	*testing.T
	d       engine.Docker
	image   string
	project string
	ctx     context.Context
}

func newHarness(t *testing.T, d engine.Docker, image string) *harness {
	project := testenv.Project(t)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := testenv.RemoveProject(ctx, d, project); err != nil {
			t.Errorf("cleanup of %s: %v", project, err)
		}
	})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return &harness{T: t, d: d, image: image, project: project, ctx: ctx}
}

// simulated reports whether the implementation is a fake.
func (h *harness) simulated() bool {
	s, ok := h.d.(Simulated)
	return ok && s.Simulated()
}

// labels are the project's labels plus extra key/value pairs.
func (h *harness) labels(extra ...string) map[string]string {
	l := testenv.Labels(h.project)
	for i := 0; i+1 < len(extra); i += 2 {
		l[extra[i]] = extra[i+1]
	}
	return l
}

// spec is a container of the test image in the project running cmd.
func (h *harness) spec(name string, cmd ...string) engine.ContainerSpec {
	return engine.ContainerSpec{Name: h.project + "-" + name, Image: h.image, Cmd: cmd, Labels: h.labels()}
}

func (h *harness) create(spec engine.ContainerSpec) string {
	h.Helper()
	id, err := h.d.ContainerCreate(h.ctx, spec)
	if err != nil {
		h.Fatalf("ContainerCreate %s: %v", spec.Name, err)
	}
	return id
}

func (h *harness) start(id string) {
	h.Helper()
	if err := h.d.ContainerStart(h.ctx, id); err != nil {
		h.Fatalf("ContainerStart: %v", err)
	}
}

// run creates and starts a container and returns its ID.
func (h *harness) run(spec engine.ContainerSpec) string {
	h.Helper()
	id := h.create(spec)
	h.start(id)
	return id
}

func (h *harness) inspect(id string) engine.ContainerState {
	h.Helper()
	st, err := h.d.ContainerInspect(h.ctx, id)
	if err != nil {
		h.Fatalf("ContainerInspect: %v", err)
	}
	return st
}

func (h *harness) wait(id string) int {
	h.Helper()
	code, err := h.d.ContainerWait(h.ctx, id)
	if err != nil {
		h.Fatalf("ContainerWait: %v", err)
	}
	return code
}

// waitForLog waits until the container's output contains text.
func (h *harness) waitForLog(id, text string) {
	h.Helper()
	h.eventually("log "+strconv.Quote(text), func() bool {
		var out bytes.Buffer
		err := h.d.ContainerLogs(h.ctx, id, engine.LogOptions{Tail: "all"}, &out, &out)
		return err == nil && strings.Contains(out.String(), text)
	})
}

// eventually polls cond until it holds or the subtest's deadline passes.
func (h *harness) eventually(what string, cond func() bool) {
	h.Helper()
	for !cond() {
		select {
		case <-h.ctx.Done():
			h.Fatalf("timed out waiting for %s", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func wantErr(t testing.TB, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: got error %v, want %v", what, err, want)
	}
}

func hasLabels(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}
