package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
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
	Wall time.Duration
	// PeakRSS is the process's VmHWM, polled from /proc while it runs.
	PeakRSS int64 // bytes
	// RusageMaxRSS is rusage ru_maxrss at exit. It is only an upper bound:
	// Go starts children with vfork semantics, and Linux carries the
	// high-water RSS of the replaced mm, the bench's own, into the child's
	// ru_maxrss at exec; so it reads max(bench RSS, stack RSS).
	RusageMaxRSS int64 // bytes
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
	if err := cmd.Start(); err != nil {
		return proc{}, fmt.Errorf("stack %s: %w", strings.Join(argv, " "), err)
	}
	peak := watchPeakRSS(cmd.Process.Pid)
	err := cmd.Wait()
	wall := time.Since(start)
	p := proc{Wall: wall, PeakRSS: peak()}
	if err != nil {
		return proc{}, fmt.Errorf("stack %s: %w\n%s", strings.Join(argv, " "), err, lastLines(out.String(), 15))
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		p.RusageMaxRSS = ru.Maxrss * 1024 // Linux reports KiB
	}
	return p, nil
}

// rssPoll is how often the peak RSS is read; growth in the last interval
// before exit is missed, which at exit is next to none.
const rssPoll = 2 * time.Millisecond

// watchPeakRSS polls VmHWM of pid until the returned function is called,
// which returns the last value read, in bytes. VmHWM is the peak of the
// process's own address space, unlike ru_maxrss (see proc).
func watchPeakRSS(pid int) func() int64 {
	path := fmt.Sprintf("/proc/%d/status", pid)
	var peak atomic.Int64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(rssPoll)
		defer tick.Stop()
		for {
			if hwm, ok := readVmHWM(path); ok && hwm > peak.Load() {
				peak.Store(hwm)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		<-stopped
		return peak.Load()
	}
}

// readVmHWM reads the "VmHWM:   1234 kB" line of a /proc status file.
func readVmHWM(path string) (int64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	return parseVmHWM(string(data))
}

func parseVmHWM(status string) (int64, bool) {
	for _, line := range strings.Split(status, "\n") {
		rest, ok := strings.CutPrefix(line, "VmHWM:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		if err != nil {
			return 0, false
		}
		return kb * 1024, true
	}
	return 0, false
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
