package dockertest

import (
	"strings"

	"github.com/stack-dev/stack/engine"
)

// testExec runs commands of the test image; exec does not go through the
// image's entrypoint, so they name /testimage.
func testExec(h *harness) {
	id := h.run(h.spec("web", "serve"))
	cases := []struct {
		cmd      []string
		wantCode int
		wantOut  []string
	}{
		{[]string{"/testimage", "exit", "0"}, 0, []string{"stdout: exiting with 0", "stderr: exiting with 0"}},
		{[]string{"/testimage", "exit", "5"}, 5, []string{"stdout: exiting with 5", "stderr: exiting with 5"}},
	}
	for _, c := range cases {
		res, err := h.d.Exec(h.ctx, id, c.cmd)
		if err != nil {
			h.Fatalf("Exec %v: %v", c.cmd, err)
		}
		if res.ExitCode != c.wantCode {
			h.Errorf("Exec %v: exit code %d, want %d", c.cmd, res.ExitCode, c.wantCode)
		}
		for _, w := range c.wantOut {
			if !strings.Contains(res.Output, w) {
				h.Errorf("Exec %v: output %q, want it to contain %q", c.cmd, res.Output, w)
			}
		}
	}

	stopped := h.create(h.spec("stopped", "serve"))
	_, err := h.d.Exec(h.ctx, stopped, []string{"/testimage", "exit", "0"})
	wantErr(h, "exec in a container that is not running", err, engine.ErrConflict)
}
