package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
)

// syncBuf is a bytes.Buffer safe for the server goroutine and the test.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// stack dashboard prints its URL with a token, warns when it listens
// beyond loopback, answers 401 without the token and returns cleanly when
// its context ends (Ctrl-C).
func TestDashboardCommand(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "stack.hcl"), []byte("service \"web\" {\n  image = \"example/web:1\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		addr string
		warn bool
	}{
		{addr: "127.0.0.1:0"},
		{addr: "0.0.0.0:0", warn: true},
	} {
		t.Run(tt.addr, func(t *testing.T) {
			var stdout, stderr syncBuf
			g := &globalOptions{stdout: &stdout, stderr: &stderr, log: zap.NewNop(), Progress: "plain",
				Files: []string{filepath.Join(dir, "stack.hcl")}}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- runDashboard(ctx, g, dashboardOptions{Addr: tt.addr, NoOpen: true}) }()
			deadline := time.Now().Add(10 * time.Second)
			for !strings.Contains(stdout.String(), "?token=") && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			url := strings.TrimSpace(stdout.String())
			if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.Contains(url, "/?token=") {
				cancel()
				t.Fatalf("stdout %q, want the URL with its token; stderr %s", url, stderr.String())
			}
			if got := strings.Contains(stderr.String(), "warning: the dashboard listens on"); got != tt.warn {
				t.Errorf("warning %v, want %v: %s", got, tt.warn, stderr.String())
			}
			resp, err := http.Get(strings.Split(url, "?")[0] + "api/state")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("without the token: %d, want 401", resp.StatusCode)
			}
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("dashboard: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("dashboard did not stop when its context ended")
			}
		})
	}
}

// -p of a project with no containers (a mistyped name, say) is said on
// stderr rather than shown as an empty page alone.
func TestDashboardNotesAnEmptyProject(t *testing.T) {
	if !dockerAvailable() {
		t.Skip("needs a docker engine")
	}
	t.Chdir(t.TempDir()) // no stack file here
	var stdout, stderr syncBuf
	g := &globalOptions{stdout: &stdout, stderr: &stderr, log: zap.NewNop(), Progress: "plain", ProjectName: "ts-no-such-" + randomHex(4)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runDashboard(ctx, g, dashboardOptions{Addr: "127.0.0.1:0", NoOpen: true}) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stdout.String(), "?token=") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	if want := "note: no containers of project " + g.ProjectName; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
}
