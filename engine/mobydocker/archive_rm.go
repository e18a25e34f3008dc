package mobydocker

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
)

// copyTar is the archive PUT both CopyToContainer and copyFiles use.
func (c *Client) copyTar(ctx context.Context, id, dir string, tar io.Reader, copyUIDGID bool) error {
	_, err := c.api.CopyToContainer(ctx, id, client.CopyToContainerOptions{DestinationPath: dir, Content: tar, CopyUIDGID: copyUIDGID})
	if err != nil {
		return apiErr("copy files into container "+id, err)
	}
	return nil
}

// The archive API only adds files. To remove them in any image, even one
// with no shell, the adapter builds rmhelper (a static Go program, source
// embedded here) once per daemon architecture, caches it in the user's
// cache folder, copies it into the container the first time it is needed
// and runs it there as root.

//go:embed rmhelper/main.go
var rmHelperSource []byte

// rmHelperPath is where the helper lives inside a container.
const rmHelperPath = "/.stack-rmhelper"

// RemoveFromContainer removes paths under dir in running container id by
// running the helper.
func (c *Client) RemoveFromContainer(ctx context.Context, id, dir string, paths []string) (err error) {
	if len(paths) == 0 {
		return nil
	}
	defer c.trace("RemoveFromContainer", id+":"+dir)(&err)
	helper, err := c.ensureRmHelper(ctx, id, dir)
	if err != nil {
		return fmt.Errorf("remove files in container %s: %w", id, err)
	}
	if helper != rmHelperPath {
		// In dir itself (a read-only root): it removes itself last.
		paths = append(append([]string(nil), paths...), path.Base(helper))
	}
	cmd := append([]string{helper, dir}, paths...)
	code, out, err := c.execAsRoot(ctx, id, cmd)
	if err != nil {
		return fmt.Errorf("remove files in container %s: %w", id, err)
	}
	if code != 0 {
		return fmt.Errorf("remove files in container %s: %s", id, strings.TrimSpace(out))
	}
	return nil
}

// ensureRmHelper copies the helper into the container unless it is there
// and returns its path: at the root, or in dir when the root is read-only.
func (c *Client) ensureRmHelper(ctx context.Context, id, dir string) (string, error) {
	if _, err := c.api.ContainerStatPath(ctx, id, client.ContainerStatPathOptions{Path: rmHelperPath}); err == nil {
		return rmHelperPath, nil
	}
	v, err := c.Version(ctx)
	if err != nil {
		return "", err
	}
	bin, err := rmHelper(ctx, v.Arch)
	if err != nil {
		return "", err
	}
	if err := c.putHelper(ctx, id, "/", bin); err == nil {
		return rmHelperPath, nil
	}
	if err := c.putHelper(ctx, id, dir, bin); err != nil {
		return "", err
	}
	return path.Join(dir, path.Base(rmHelperPath)), nil
}

// putHelper writes the helper binary into dir of the container.
func (c *Client) putHelper(ctx context.Context, id, dir string, bin []byte) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: path.Base(rmHelperPath), Mode: 0o755, Size: int64(len(bin))}); err != nil {
		return err
	}
	if _, err := tw.Write(bin); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return c.copyTar(ctx, id, dir, &buf, false)
}

// execAsRoot runs cmd as root and returns its exit code and output.
func (c *Client) execAsRoot(ctx context.Context, id string, cmd []string) (int, string, error) {
	created, err := c.api.ExecCreate(ctx, id, client.ExecCreateOptions{Cmd: cmd, User: "0:0", AttachStdout: true, AttachStderr: true})
	if err != nil {
		return 0, "", apiErr("exec", err)
	}
	attached, err := c.api.ExecAttach(ctx, created.ID, client.ExecAttachOptions{})
	if err != nil {
		return 0, "", apiErr("exec", err)
	}
	defer attached.Close()
	stop := context.AfterFunc(ctx, attached.Close)
	defer stop()
	out := &cappedBuffer{max: maxExecOutput}
	if _, err := stdcopy.StdCopy(out, out, attached.Reader); err != nil && !errors.Is(err, io.EOF) {
		if ctx.Err() != nil {
			return 0, "", ctx.Err()
		}
		return 0, "", err
	}
	code, err := c.execExitCode(ctx, created.ID)
	return code, out.String(), err
}

var rmHelpers struct {
	sync.Mutex
	bins map[string][]byte // by GOARCH
}

// rmHelper returns the helper binary for arch, building it on first use
// (CGO_ENABLED=0, so it runs in any linux image) and caching it on disk.
func rmHelper(ctx context.Context, arch string) ([]byte, error) {
	rmHelpers.Lock()
	defer rmHelpers.Unlock()
	if b, ok := rmHelpers.bins[arch]; ok {
		return b, nil
	}
	sum := sha256.Sum256(rmHelperSource)
	cacheDir, err := os.UserCacheDir()
	if err != nil {
		cacheDir = os.TempDir()
	}
	file := filepath.Join(cacheDir, "stack", "rmhelper-"+hex.EncodeToString(sum[:6])+"-linux-"+arch)
	b, err := os.ReadFile(file)
	if err != nil {
		b, err = buildRmHelper(ctx, arch, file)
		if err != nil {
			return nil, err
		}
	}
	if rmHelpers.bins == nil {
		rmHelpers.bins = map[string][]byte{}
	}
	rmHelpers.bins[arch] = b
	return b, nil
}

func buildRmHelper(ctx context.Context, arch, file string) ([]byte, error) {
	src, err := os.MkdirTemp("", "stack-rmhelper-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(src)
	if err := os.WriteFile(filepath.Join(src, "main.go"), rmHelperSource, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module rmhelper\n\ngo 1.21\n"), 0o644); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return nil, err
	}
	tmp := file + ".tmp" + fmt.Sprint(os.Getpid())
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", tmp, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GOFLAGS=", "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build the file removal helper (needs the go toolchain once): %v: %s", err, strings.TrimSpace(string(out)))
	}
	if err := os.Rename(tmp, file); err != nil {
		return nil, err
	}
	return os.ReadFile(file)
}
