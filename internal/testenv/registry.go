// Package testenv starts the real things integration tests run against.
package testenv

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// RegistryBinary is Debian's docker-registry package: distribution v2.
const RegistryBinary = "docker-registry"

// StartRegistry starts an image registry on a free 127.0.0.1 port with its
// storage in a temporary folder, stops it when the test ends, and returns
// its address "127.0.0.1:PORT". The Docker engine trusts registries on
// 127.0.0.0/8 without TLS. Without the binary the test is skipped, or fails
// when CI=true.
func StartRegistry(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath(RegistryBinary)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found and CI=true: install it (apt-get install docker-registry)", RegistryBinary)
		}
		t.Skipf("%s not found; install it with apt-get install docker-registry", RegistryBinary)
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		t.Fatalf("registry: %v", err)
	}
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(config, []byte(registryConfig(addr, filepath.Join(dir, "storage"))), 0o644); err != nil {
		t.Fatalf("registry config: %v", err)
	}

	var out lockedBuffer
	cmd := exec.Command(bin, "serve", config)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start registry: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("registry %s output:\n%s", addr, out.String())
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := waitRegistry(ctx, addr, exited); err != nil {
		t.Fatalf("registry on %s: %v\n%s", addr, err, out.String())
	}
	return addr
}

func registryConfig(addr, storage string) string {
	return fmt.Sprintf(`version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
`, storage, addr)
}

// freeLoopbackAddr finds a port nothing listens on. Another process could
// take it before the registry does; the wait below would then fail loudly.
func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitRegistry polls the registry's API root until it answers 200.
func waitRegistry(ctx context.Context, addr string, exited <-chan error) error {
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get("http://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET /v2/: %s", resp.Status)
		}
		select {
		case exitErr := <-exited:
			return fmt.Errorf("exited before answering: %v", exitErr)
		case <-ctx.Done():
			return fmt.Errorf("not answering: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// lockedBuffer collects a process's output from its two pipes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
