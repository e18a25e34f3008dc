package main

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestParseVmHWM(t *testing.T) {
	tests := []struct {
		name   string
		status string
		want   int64
		ok     bool
	}{
		{"present", "Name:\tstack\nVmPeak:\t  900 kB\nVmHWM:\t   23276 kB\nVmRSS:\t 20000 kB\n", 23276 * 1024, true},
		{"missing", "Name:\tstack\nState:\tZ (zombie)\n", 0, false},
		{"garbled", "VmHWM:\t  lots kB\n", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseVmHWM(tt.status)
			if got != tt.want || ok != tt.ok {
				t.Errorf("parseVmHWM = %d, %v; want %d, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestPeakRSSOfChild runs a child that grows to about 64 MB and checks the
// poll sees it, while ru_maxrss is at least as large (it is an upper bound).
func TestPeakRSSOfChild(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	if os.Getenv("BENCH_RSS_CHILD") == "1" {
		ballast := make([]byte, 64<<20)
		for i := range ballast {
			ballast[i] = 1
		}
		time.Sleep(100 * time.Millisecond)
		_ = ballast[len(ballast)-1]
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-test.run", "^TestPeakRSSOfChild$")
	cmd.Env = append(os.Environ(), "BENCH_RSS_CHILD=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	peak := watchPeakRSS(cmd.Process.Pid)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	got := peak()
	if got < 64<<20 || got > 200<<20 {
		t.Errorf("peak RSS %d MB, want 64 MB and a little runtime", got>>20)
	}
}
