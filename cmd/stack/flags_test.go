package main

import (
	"bytes"
	"slices"
	"testing"
	"time"
)

// TestEveryCommandTakesGlobalFlags parses the global flags before and after
// each command, as users type them. A command whose own shorthand clashes
// with a global one makes cobra panic while merging the flag sets, for every
// invocation of that command, so each is tried with --help.
func TestEveryCommandTakesGlobalFlags(t *testing.T) {
	g := &globalOptions{}
	for _, cmd := range newRootCmd(g).Commands() {
		verb := cmd.Name()
		if verb == "help" || verb == "completion" {
			continue
		}
		for _, args := range [][]string{
			{"-f", "a.hcl", "-p", "demo", verb, "--help"},
			{verb, "--file", "a.hcl", "--project-name", "demo", "--help"},
		} {
			t.Run(verb, func(t *testing.T) {
				g := &globalOptions{}
				var out bytes.Buffer
				g.stdout, g.stderr = &out, &out
				root := newRootCmd(g)
				root.SetOut(&out)
				root.SetErr(&out)
				root.SetArgs(args)
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Fatalf("stack %v panicked: %v", args, r)
						}
					}()
					if err := root.Execute(); err != nil {
						t.Fatalf("stack %v: %v\n%s", args, err, out.String())
					}
				}()
				if !slices.Equal(g.Files, []string{"a.hcl"}) || g.ProjectName != "demo" {
					t.Errorf("stack %v: file %q project %q, want [a.hcl] demo", args, g.Files, g.ProjectName)
				}
			})
		}
	}
}

// TestLogsFollowShorthand checks that -f after `logs` is --follow and
// before it the stack file, as in Docker Compose.
func TestLogsFollowShorthand(t *testing.T) {
	g := &globalOptions{}
	root := newRootCmd(g)
	logs, rest, err := root.Traverse([]string{"-f", "a.hcl", "logs", "-f", "api"})
	if err != nil {
		t.Fatal(err)
	}
	if err := logs.ParseFlags(rest); err != nil {
		t.Fatal(err)
	}
	follow, err := logs.Flags().GetBool("follow")
	if err != nil {
		t.Fatal(err)
	}
	if !follow || !slices.Equal(g.Files, []string{"a.hcl"}) || !slices.Equal(logs.Flags().Args(), []string{"api"}) {
		t.Errorf("follow %v files %q args %q, want true [a.hcl] [api]", follow, g.Files, logs.Flags().Args())
	}
}

func TestStopTimeoutFlag(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"10", 10 * time.Second, false},
		{"0", 0, false},
		{"0s", 0, false},
		{"1.5s", 1500 * time.Millisecond, false},
		{"2m", 2 * time.Minute, false},
		{"1.5", 1500 * time.Millisecond, false},
		{"99999999999999999", 0, true},
		{"18446744074", 0, true},
		{"NaN", 0, true},
		{"48h", 0, true},
		{"-1", 0, true},
		{"-3s", 0, true},
		{"soon", 0, true},
	}
	for _, tt := range tests {
		var got *time.Duration
		err := stopTimeoutFlag{&got}.Set(tt.in)
		switch {
		case tt.wantErr && err == nil:
			t.Errorf("Set(%q) = %v, want an error", tt.in, *got)
		case !tt.wantErr && err != nil:
			t.Errorf("Set(%q): %v", tt.in, err)
		case !tt.wantErr && (got == nil || *got != tt.want):
			t.Errorf("Set(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	var unset *time.Duration
	if s := (stopTimeoutFlag{&unset}).String(); s != "" {
		t.Errorf("unset flag prints %q, want nothing", s)
	}
}

func TestDurationFlag(t *testing.T) {
	for in, want := range map[string]time.Duration{"3": 3 * time.Second, "1.5": 1500 * time.Millisecond, "2m": 2 * time.Minute, "0": 0} {
		var d time.Duration
		if err := (durationFlag{&d}).Set(in); err != nil || d != want {
			t.Errorf("Set(%q): %v, %v; want %v", in, d, err, want)
		}
	}
	for _, bad := range []string{"soon", "-1", "-2s"} {
		var d time.Duration
		if err := (durationFlag{&d}).Set(bad); err == nil {
			t.Errorf("Set(%q): no error", bad)
		}
	}
}
