package dockertest

import (
	"bytes"
	"strings"

	"github.com/stack-dev/stack/engine"
)

// testExecAttach runs commands with streams: without a TTY stdout and
// stderr stay apart (on the daemon; the fake has one combined output),
// with one they merge; stdin reaches the command.
func testExecAttach(h *harness) {
	id := h.run(h.spec("web", "serve"))
	cases := []struct {
		name     string
		cmd      []string
		streams  engine.Streams
		wantCode int
		// wantOut must be in stdout and stderr together (the fake has one
		// combined output); on the daemon stdout and stderr must be exactly
		// daemonOut and daemonErr.
		wantOut              []string
		daemonOut, daemonErr string
		daemonOnly           bool
	}{
		{
			name:      "exit code and output",
			cmd:       []string{"/testimage", "exit", "5"},
			wantCode:  5,
			wantOut:   []string{"stdout: exiting with 5", "stderr: exiting with 5"},
			daemonOut: "stdout: exiting with 5\n",
			daemonErr: "stderr: exiting with 5\n",
		},
		{
			// A terminal merges the streams and ends lines with \r\n.
			name:      "tty",
			cmd:       []string{"/testimage", "exit", "0"},
			streams:   engine.Streams{Tty: true, Size: &engine.TerminalSize{Height: 30, Width: 100}},
			wantOut:   []string{"stdout: exiting with 0", "stderr: exiting with 0"},
			daemonOut: "stdout: exiting with 0\r\nstderr: exiting with 0\r\n",
		},
		{
			name:       "stdin",
			cmd:        []string{"/testimage", "cat", "/dev/stdin"},
			streams:    engine.Streams{Stdin: strings.NewReader("from stdin\n")},
			daemonOut:  "from stdin\n",
			daemonOnly: true,
		},
	}
	for _, c := range cases {
		if c.daemonOnly && h.simulated() {
			continue // needs a real process
		}
		var stdout, stderr bytes.Buffer
		streams := c.streams
		streams.Stdout, streams.Stderr = &stdout, &stderr
		code, err := h.d.ExecAttach(h.ctx, id, engine.ExecOptions{Cmd: c.cmd, Streams: streams})
		if err != nil {
			h.Fatalf("%s: ExecAttach %v: %v", c.name, c.cmd, err)
		}
		if code != c.wantCode {
			h.Errorf("%s: exit code %d, want %d", c.name, code, c.wantCode)
		}
		all := stdout.String() + stderr.String()
		for _, w := range c.wantOut {
			if !strings.Contains(all, w) {
				h.Errorf("%s: output %q, want it to contain %q", c.name, all, w)
			}
		}
		if !h.simulated() && (stdout.String() != c.daemonOut || stderr.String() != c.daemonErr) {
			h.Errorf("%s: stdout %q stderr %q, want %q and %q", c.name, stdout.String(), stderr.String(), c.daemonOut, c.daemonErr)
		}
	}

	stopped := h.create(h.spec("stopped", "serve"))
	_, err := h.d.ExecAttach(h.ctx, stopped, engine.ExecOptions{Cmd: []string{"/testimage", "exit", "0"}})
	wantErr(h, "exec in a container that is not running", err, engine.ErrConflict)
	_, err = h.d.ExecAttach(h.ctx, h.project+"-missing", engine.ExecOptions{Cmd: []string{"/testimage", "exit", "0"}})
	wantErr(h, "exec in a missing container", err, engine.ErrNotFound)
}

// testContainerAttach attaches to containers before they start, as `run`
// does, and gets all of their output, then their exit code.
func testContainerAttach(h *harness) {
	cases := []struct {
		name       string
		cmd        []string
		tty, stdin bool
		input      string
		wantCode   int
		wantStdout string
		wantStderr string
		daemonOnly bool
	}{
		{name: "split output", cmd: []string{"exit", "3"}, wantCode: 3,
			wantStdout: "stdout: exiting with 3\n", wantStderr: "stderr: exiting with 3\n"},
		{name: "tty", cmd: []string{"exit", "0"}, tty: true},
		{name: "stdin", cmd: []string{"cat", "/dev/stdin"}, stdin: true, input: "from stdin\n",
			wantStdout: "from stdin\n", daemonOnly: true},
	}
	for _, c := range cases {
		if c.daemonOnly && h.simulated() {
			continue // needs a real process
		}
		spec := h.spec(strings.ReplaceAll(c.name, " ", "-"), c.cmd...)
		spec.Tty = c.tty
		spec.OpenStdin, spec.StdinOnce = c.stdin, c.stdin
		id := h.create(spec)
		var stdout, stderr bytes.Buffer
		streams := engine.Streams{Stdout: &stdout, Stderr: &stderr, Tty: c.tty}
		if c.stdin {
			streams.Stdin = strings.NewReader(c.input)
		}
		wait, err := h.d.ContainerAttach(h.ctx, id, engine.AttachOptions{Streams: streams})
		if err != nil {
			h.Fatalf("%s: ContainerAttach: %v", c.name, err)
		}
		h.start(id)
		if err := wait(); err != nil {
			h.Errorf("%s: waiting for the output: %v", c.name, err)
		}
		if code := h.wait(id); code != c.wantCode {
			h.Errorf("%s: exit code %d, want %d", c.name, code, c.wantCode)
		}
		if c.tty {
			// A terminal merges the streams and ends lines with \r\n.
			out := strings.ReplaceAll(stdout.String(), "\r\n", "\n")
			if !strings.Contains(out, "stdout: exiting with 0\n") || !strings.Contains(out, "stderr: exiting with 0\n") || stderr.Len() != 0 {
				h.Errorf("%s: stdout %q stderr %q, want both lines in stdout", c.name, stdout.String(), stderr.String())
			}
			continue
		}
		if stdout.String() != c.wantStdout || stderr.String() != c.wantStderr {
			h.Errorf("%s: stdout %q stderr %q, want %q and %q", c.name, stdout.String(), stderr.String(), c.wantStdout, c.wantStderr)
		}
	}

	_, err := h.d.ContainerAttach(h.ctx, h.project+"-missing", engine.AttachOptions{})
	wantErr(h, "attach to a missing container", err, engine.ErrNotFound)
}
