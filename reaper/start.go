package reaper

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/stack-dev/stack/engine"
)

// Off reports whether STACK_REAPER=off turns the reaper off, for engines
// where a container may not mount the Docker socket. Sessions then end
// only with their owner's own cleanup, their expiry and `stack reap`.
func Off() bool {
	return strings.EqualFold(os.Getenv("STACK_REAPER"), "off")
}

// port is where the reaper listens inside its container.
const port = 7777

// Ensure makes sure a reaper built from binary (a static stack executable)
// runs, building its image and starting it if needed, and returns its
// container name and the loopback address owners connect to.
//
// The container is named after the binary's hash, so a changed binary gets
// a reaper of its own; several test processes starting at once share one.
// The image is one tag, stack-reaper:latest, that each new binary moves;
// containers are created from the image ID, so a reaper of another binary
// running beside this one keeps its own.
func Ensure(ctx context.Context, d engine.Docker, binary string) (name, addr string, err error) {
	bin, err := os.ReadFile(binary)
	if err != nil {
		return "", "", fmt.Errorf("reaper binary: %w", err)
	}
	if err := checkStatic(binary); err != nil {
		return "", "", err
	}
	sum := sha256.Sum256(bin)
	hash := hex.EncodeToString(sum[:])
	name = "stack-reaper-" + hash[:12]
	socket, err := socketPath()
	if err != nil {
		return "", "", err
	}
	deadline := time.Now().Add(time.Minute)
	for {
		addr, err = running(ctx, d, name)
		if err == nil || time.Now().After(deadline) {
			return name, addr, err
		}
		image, err := ensureImage(ctx, d, hash, bin)
		if err != nil {
			return "", "", err
		}
		id, err := d.ContainerCreate(ctx, engine.ContainerSpec{
			Name:  name,
			Image: image,
			Cmd:   []string{"--log-level", "info", "reap", "--serve", fmt.Sprintf(":%d", port), "--name", name},
			Labels: map[string]string{
				LabelReaper: hash, engine.LabelProject: Project, engine.LabelService: "reaper",
				engine.LabelNumber: "1", engine.LabelOneoff: "False", engine.LabelManaged: "true",
			},
			ExposedPorts:  []string{fmt.Sprintf("%d/tcp", port)},
			Ports:         []engine.PortBinding{{HostIP: "127.0.0.1", ContainerPort: port, Protocol: "tcp"}},
			Mounts:        []engine.Mount{{Type: "bind", Source: socket, Target: "/var/run/docker.sock"}},
			RestartPolicy: "no",
			AutoRemove:    true,
		})
		switch {
		case errors.Is(err, engine.ErrConflict):
			// Another process creates it, or an idle one is on its way out;
			// one created by a process that died before starting it starts.
			d.ContainerStart(ctx, name) //nolint:errcheck // the next inspect tells
		case err != nil:
			return "", "", fmt.Errorf("create reaper: %w", err)
		default:
			if err := d.ContainerStart(ctx, id); err != nil && !errors.Is(err, engine.ErrConflict) {
				return "", "", fmt.Errorf("start reaper: %w", err)
			}
		}
		select {
		case <-ctx.Done():
			return "", "", ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// running returns the address of the reaper container name if it runs and
// answers.
func running(ctx context.Context, d engine.Docker, name string) (string, error) {
	st, err := d.ContainerInspect(ctx, name)
	if err != nil {
		return "", err
	}
	if !st.Running {
		return "", fmt.Errorf("reaper %s is %s", name, st.State)
	}
	for _, p := range st.Ports {
		if p.ContainerPort == port && p.HostPort != "" {
			addr := net.JoinHostPort("127.0.0.1", p.HostPort)
			conn, err := net.DialTimeout("tcp", addr, time.Second)
			if err != nil {
				return "", err
			}
			conn.Close()
			return addr, nil
		}
	}
	return "", fmt.Errorf("reaper %s publishes no port yet", name)
}

// reaperImage is the tag of the newest reaper image built here.
const reaperImage = "stack-reaper:latest"

// ensureImage returns the ID of the reaper image of the binary with this
// hash, building it if reaperImage is another binary's. The image it moves
// the tag from is removed unless a container still uses it, so rebuilt
// binaries (a test run after each edit) do not pile up images.
func ensureImage(ctx context.Context, d engine.Docker, hash string, bin []byte) (string, error) {
	old, err := d.ImageInspect(ctx, reaperImage)
	if err == nil && old.Labels[LabelReaper] == hash {
		return old.ID, nil
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dockerfile := "FROM scratch\nCOPY stack /stack\nENTRYPOINT [\"/stack\"]\n"
	for _, f := range []struct {
		name string
		mode int64
		data []byte
	}{{"Dockerfile", 0o644, []byte(dockerfile)}, {"stack", 0o755, bin}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data))}); err != nil {
			return "", err
		}
		if _, err := tw.Write(f.data); err != nil {
			return "", err
		}
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	id, err := d.ImageBuild(ctx, &buf, engine.BuildSpec{
		Tags: []string{reaperImage}, Dockerfile: "Dockerfile",
		Labels: map[string]string{LabelReaper: hash, engine.LabelManaged: "true"},
	}, nil)
	if err != nil {
		return "", fmt.Errorf("build reaper image: %w", err)
	}
	if old.ID != "" && old.ID != id {
		// Refused while a reaper of that binary runs or exists; the
		// next rebuild tries again.
		d.ImageRemove(ctx, old.ID) //nolint:errcheck // best effort, see above
	}
	return id, nil
}

// socketPath is the engine's unix socket on this host, which the reaper
// mounts.
func socketPath() (string, error) {
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		return "/var/run/docker.sock", nil
	}
	if path, ok := strings.CutPrefix(host, "unix://"); ok {
		return path, nil
	}
	return "", fmt.Errorf("the reaper mounts the engine's unix socket, and DOCKER_HOST is %s\nhint: set STACK_REAPER=off and remove leftovers with `stack reap`", host)
}

// checkStatic refuses a dynamically linked binary: it would not run in a
// FROM scratch image.
func checkStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("reaper binary %s: %w", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("reaper binary %s is dynamically linked; build it with CGO_ENABLED=0", path)
		}
	}
	return nil
}
