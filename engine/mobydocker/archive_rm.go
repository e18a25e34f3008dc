package mobydocker

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"debug/elf"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"

	"github.com/stack-dev/stack/engine/mobydocker/rmhelper"
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
// with no shell, the adapter copies a helper (package rmhelper) into the
// container the first time it is needed and runs it there as root. The
// helper is this very program whenever it can run in the container: a
// static Linux executable of the daemon's architecture, as released stack
// binaries are (CGO_ENABLED=0), since every program that imports rmhelper
// is the helper when started under its name. Otherwise (a dynamically
// linked build, stack on another OS or architecture than the daemon's)
// rmhelper is built alone with the Go toolchain, once per architecture, and
// cached in the user's cache folder.

//go:embed rmhelper/rmhelper.go
var rmHelperSource []byte

// rmHelperMain is the main package of the helper built alone.
const rmHelperMain = `package main

import (
	"os"

	"rmhelper/rmhelper"
)

func main() { os.Exit(rmhelper.Main(os.Args[1:], os.Stderr)) }
`

// rmHelperPath is where the helper lives inside a container.
const rmHelperPath = "/" + rmhelper.Name

// Seams for the tests: the program that may serve as the helper, and the
// go command that builds it otherwise.
var (
	selfExecutable = os.Executable
	goCommand      = "go"
)

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
	code, out, err := c.execAsRoot(ctx, id, cmd, []string{rmhelper.Env + "=1"})
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

// putHelper writes the helper, the host file bin, into dir of the
// container, streamed (this program may be tens of MB).
func (c *Client) putHelper(ctx context.Context, id, dir, bin string) error {
	f, err := os.Open(bin)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: rmhelper.Name, Mode: 0o755, Size: fi.Size()})
		if err == nil {
			_, err = io.CopyN(tw, f, fi.Size())
		}
		if err == nil {
			err = tw.Close()
		}
		pw.CloseWithError(err)
	}()
	err = c.copyTar(ctx, id, dir, pr, false)
	pr.CloseWithError(io.ErrClosedPipe) // ends the writer if the PUT stopped early
	return err
}

// execAsRoot runs cmd as root with env added and returns its exit code and
// output.
func (c *Client) execAsRoot(ctx context.Context, id string, cmd, env []string) (int, string, error) {
	created, err := c.api.ExecCreate(ctx, id, client.ExecCreateOptions{Cmd: cmd, Env: env, User: "0:0", AttachStdout: true, AttachStderr: true})
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
	bins map[string]string // host file, by GOARCH
}

// rmHelper returns the host file of the helper for a daemon of arch: this
// program when it can be, else rmhelper built on first use (CGO_ENABLED=0,
// so it runs in any linux image) and cached on disk.
func rmHelper(ctx context.Context, arch string) (string, error) {
	rmHelpers.Lock()
	defer rmHelpers.Unlock()
	if b, ok := rmHelpers.bins[arch]; ok {
		return b, nil
	}
	file, ok := selfHelper(arch)
	if !ok {
		h := sha256.New()
		h.Write(rmHelperSource)
		h.Write([]byte(rmHelperMain))
		cacheDir, err := os.UserCacheDir()
		if err != nil {
			cacheDir = os.TempDir()
		}
		file = filepath.Join(cacheDir, "stack", "rmhelper-"+hex.EncodeToString(h.Sum(nil)[:6])+"-linux-"+arch)
		if _, err := os.Stat(file); err != nil {
			if err := buildRmHelper(ctx, arch, file); err != nil {
				return "", err
			}
		}
	}
	if rmHelpers.bins == nil {
		rmHelpers.bins = map[string]string{}
	}
	rmHelpers.bins[arch] = file
	return file, nil
}

// selfHelper returns this program's file when it can run as the helper in
// a container of a daemon of arch: a Linux executable of that architecture
// with no program interpreter (statically linked, so FROM scratch will do).
func selfHelper(arch string) (string, bool) {
	if runtime.GOOS != "linux" || runtime.GOARCH != arch {
		return "", false
	}
	exe, err := selfExecutable()
	if err != nil {
		return "", false
	}
	f, err := elf.Open(exe)
	if err != nil {
		return "", false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return "", false
		}
	}
	return exe, true
}

func buildRmHelper(ctx context.Context, arch, file string) error {
	src, err := os.MkdirTemp("", "stack-rmhelper-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(src)
	for name, content := range map[string][]byte{
		"go.mod":               []byte("module rmhelper\n\ngo 1.21\n"),
		"main.go":              []byte(rmHelperMain),
		"rmhelper/rmhelper.go": rmHelperSource,
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(src, name)), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(src, name), content, 0o644); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	tmp := file + ".tmp" + fmt.Sprint(os.Getpid())
	cmd := exec.CommandContext(ctx, goCommand, "build", "-trimpath", "-ldflags=-s -w", "-o", tmp, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GOFLAGS=", "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build the file removal helper (this stack binary is not a static linux/%s executable that could serve as one, and building it needs the go toolchain once): %v: %s", arch, err, strings.TrimSpace(string(out)))
	}
	return os.Rename(tmp, file)
}
