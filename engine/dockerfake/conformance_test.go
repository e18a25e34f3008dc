package dockerfake_test

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
	"github.com/stack-dev/stack/engine/dockertest"
)

const testImage = "stack-testimage:dev"

// TestConformance runs the engine.Docker contract against the fake, scripted
// to behave as the test image's commands do.
func TestConformance(t *testing.T) {
	dockertest.Run(t, func(t *testing.T) engine.Docker {
		f := dockerfake.New()
		f.AddImage(engine.Image{ID: "sha256:" + strings.Repeat("ab", 32), RepoTags: []string{testImage}})
		emulateTestImage(f)
		return f
	}, testImage)
}

// emulateTestImage scripts f with hooks to act as internal/testimage: the
// suite's containers run its commands.
func emulateTestImage(f *dockerfake.Fake) {
	var mu sync.Mutex
	files := map[string]string{} // "volume:/path" -> content

	// volumePath maps a path in a container to the volume holding it.
	volumePath := func(c *dockerfake.FakeContainer, p string) string {
		for _, m := range c.Spec.Mounts {
			if rel, ok := strings.CutPrefix(p, m.Target+"/"); ok {
				return m.Source + ":" + path.Clean(rel)
			}
		}
		return c.ID + ":" + p
	}

	f.OnStart(func(c *dockerfake.FakeContainer) {
		cmd := c.Spec.Cmd
		if len(cmd) == 0 {
			cmd = []string{"serve"}
		}
		switch cmd[0] {
		case "exit":
			code, _ := strconv.Atoi(cmd[1])
			f.WriteLog(c.ID, false, fmt.Sprintf("stdout: exiting with %d\n", code))
			f.WriteLog(c.ID, true, fmt.Sprintf("stderr: exiting with %d\n", code))
			f.ExitContainer(c.ID, code)
		case "write":
			mu.Lock()
			files[volumePath(c, cmd[1])] = cmd[2]
			mu.Unlock()
			f.ExitContainer(c.ID, 0)
		case "cat":
			mu.Lock()
			content, ok := files[volumePath(c, cmd[1])]
			mu.Unlock()
			if !ok {
				f.WriteLog(c.ID, true, "testimage: cat: no such file\n")
				f.ExitContainer(c.ID, 1)
				return
			}
			f.WriteLog(c.ID, false, content)
			f.ExitContainer(c.ID, 0)
		case "serve":
			f.WriteLog(c.ID, false, "listening on :8080\n")
			if c.Spec.Healthcheck == nil {
				return
			}
			var readyAfter time.Duration
			if len(cmd) == 3 && cmd[1] == "--ready-after" {
				readyAfter, _ = time.ParseDuration(cmd[2])
			}
			time.AfterFunc(readyAfter, func() { f.SetHealth(c.ID, "healthy") })
		}
	})

	f.OnExec(func(c *dockerfake.FakeContainer, cmd []string) (engine.ExecResult, error) {
		if len(cmd) == 3 && cmd[0] == "/testimage" && cmd[1] == "exit" {
			code, err := strconv.Atoi(cmd[2])
			if err != nil {
				return engine.ExecResult{}, err
			}
			return engine.ExecResult{ExitCode: code, Output: fmt.Sprintf("stdout: exiting with %d\nstderr: exiting with %d\n", code, code)}, nil
		}
		return engine.ExecResult{ExitCode: 127, Output: "unknown command"}, nil
	})
}
