package engine_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stack-dev/stack/engine"
)

func TestExec(t *testing.T) {
	tests := []struct {
		name       string
		opts       engine.ServiceExecOptions
		wantCode   int
		wantStdout string
	}{
		{
			name:       "replica 1 by default",
			opts:       engine.ServiceExecOptions{Service: "api", Cmd: []string{"/testimage", "exit", "0"}},
			wantStdout: "p-api-1: exiting with 0\n",
		},
		{
			name:       "exit code and index",
			opts:       engine.ServiceExecOptions{Service: "api", Index: 2, Cmd: []string{"/testimage", "exit", "4"}},
			wantCode:   4,
			wantStdout: "p-api-2: exiting with 4\n",
		},
		{
			name: "user, dir and env reach the daemon",
			opts: engine.ServiceExecOptions{Service: "api", Cmd: []string{"/testimage", "exit", "0"},
				User: "1000:1000", WorkingDir: "/tmp", Env: []string{"A=1"}, Streams: engine.Streams{Tty: true}},
			wantStdout: "p-api-1: exiting with 0\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, e, _ := newOneoffFake(t)
			p := oneoffStack()
			p.Services["api"].Replicas = 2
			ctx := testContext(t)
			if _, err := e.Up(ctx, p, engine.UpOptions{Plan: engine.PlanOptions{Services: []string{"api"}}}); err != nil {
				t.Fatalf("Up: %v", err)
			}
			var stdout bytes.Buffer
			tt.opts.Stdout = &stdout
			tt.opts.Stdin = strings.NewReader("input\n")
			code, err := e.Exec(ctx, p, tt.opts)
			if err != nil {
				t.Fatalf("Exec: %v", err)
			}
			if code != tt.wantCode || stdout.String() != tt.wantStdout {
				t.Errorf("got code %d output %q, want %d %q", code, stdout.String(), tt.wantCode, tt.wantStdout)
			}
			execs := f.Execs()
			if len(execs) != 1 {
				t.Fatalf("%d execs, want 1", len(execs))
			}
			got := execs[0]
			if !slices.Equal(got.Cmd, tt.opts.Cmd) || got.User != tt.opts.User || got.WorkingDir != tt.opts.WorkingDir ||
				!slices.Equal(got.Env, tt.opts.Env) || got.Tty != tt.opts.Tty {
				t.Errorf("exec options %+v, want those of %+v", got, tt.opts)
			}
		})
	}
}

func TestExecErrors(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(ctx context.Context, t *testing.T, e *engine.Engine)
		opts    engine.ServiceExecOptions
		wantErr string
	}{
		{
			name:    "no such service",
			opts:    engine.ServiceExecOptions{Service: "nope", Cmd: []string{"true"}},
			wantErr: "no such service: nope",
		},
		{
			name:    "no container",
			opts:    engine.ServiceExecOptions{Service: "api", Cmd: []string{"true"}},
			wantErr: "service api is not running: it has no container",
		},
		{
			name: "stopped container",
			setup: func(ctx context.Context, t *testing.T, e *engine.Engine) {
				if err := e.Stop(ctx, "p", engine.StopOptions{}); err != nil {
					t.Fatal(err)
				}
			},
			opts:    engine.ServiceExecOptions{Service: "api", Cmd: []string{"true"}},
			wantErr: "service api is not running: container p-api-1 is exited",
		},
		{
			name:    "no such replica",
			opts:    engine.ServiceExecOptions{Service: "api", Index: 3, Cmd: []string{"true"}},
			wantErr: "service api has no replica 3 (it has 1)",
		},
		{
			name:    "no command",
			opts:    engine.ServiceExecOptions{Service: "api"},
			wantErr: "no command given",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, e, _ := newOneoffFake(t)
			p := oneoffStack()
			ctx := testContext(t)
			if tt.name != "no container" {
				if _, err := e.Up(ctx, p, engine.UpOptions{Plan: engine.PlanOptions{Services: []string{"api"}}}); err != nil {
					t.Fatalf("Up: %v", err)
				}
			}
			if tt.setup != nil {
				tt.setup(ctx, t, e)
			}
			_, err := e.Exec(ctx, p, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Exec: %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
}
