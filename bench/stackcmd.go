package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// stackCLI runs the stack binary under test.
type stackCLI struct {
	bin string
}

// proc is what one stack process cost: wall time from start to exit, and its
// peak resident memory.
type proc struct {
	Wall   time.Duration
	MaxRSS int64 // bytes
}

// run runs `stack -f file -p project args...` and measures it. Its output
// is kept only for the error message.
func (s stackCLI) run(ctx context.Context, file, project string, args ...string) (proc, error) {
	argv := append([]string{"-f", file, "-p", project}, args...)
	cmd := exec.CommandContext(ctx, s.bin, argv...)
	// On Ctrl-C stack gets its own interrupt and a moment to stop cleanly.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return proc{}, fmt.Errorf("stack %s: %w\n%s", strings.Join(argv, " "), err, lastLines(out.String(), 15))
	}
	p := proc{Wall: wall}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		p.MaxRSS = ru.Maxrss * 1024 // Linux reports KiB
	}
	return p, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// ensureStackBinary builds bin at path from ./cmd/stack when it is missing.
func ensureStackBinary(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(abs); err == nil {
		return abs, nil
	}
	fmt.Fprintf(os.Stderr, "building %s\n", path)
	build := exec.Command("go", "build", "-ldflags=-s -w", "-o", abs, "./cmd/stack")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %v\n%s", path, err, out)
	}
	return abs, nil
}
