package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stack-dev/stack/spec"
)

// Crash and interrupt tests of the real `stack` binary against the real
// daemon: a SIGKILLed `up` is converged by the next one, concurrent `up`s
// of one project never duplicate containers (the per-project flock), and
// an attached `up` stops the stack on Ctrl-C and kills it on the second.
// Real-daemon only: the fake lives in one process, these need several.

func TestCLICrashAndInterrupt(t *testing.T) {
	realOnly(t, func(t *testing.T, e *env) {
		bin := buildStack(t)
		for _, tc := range []struct {
			name string
			run  func(t *testing.T, c *cli)
		}{
			{"sigkill mid up converges", testKillMidUp},
			{"concurrent ups create no duplicates", testConcurrentCLIUps},
			{"ctrl-c stops gracefully", testInterruptStops},
			{"second ctrl-c kills a slow stop", testSecondInterruptKills},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				tc.run(t, &cli{env: newEnv(t, e.world), bin: bin, dir: t.TempDir()})
			})
		}
	})
}

// buildStack builds cmd/stack into the test's temporary folder.
func buildStack(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	bin := filepath.Join(t.TempDir(), "stack")
	build := exec.Command("go", "build", "-o", bin, "./cmd/stack")
	build.Dir = filepath.Join(filepath.Dir(file), "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/stack: %v\n%s", err, out)
	}
	return bin
}

// cli runs the stack binary on a stack file of its own project.
type cli struct {
	*env
	bin, dir string
}

// serviceDef is one service of a generated stack file.
type serviceDef struct {
	name      string
	command   string // HCL list
	replicas  int
	grace     string
	dependsOn string
}

// write writes stack.hcl with services, each labelled for cleanup and
// taking its NAME from var.name, so `--var name=...` changes every config.
func (c *cli) write(services ...serviceDef) {
	var b strings.Builder
	b.WriteString("variable \"image\" {\n  type = string\n}\n\nvariable \"name\" {\n  type    = string\n  default = \"v1\"\n}\n")
	for _, s := range services {
		fmt.Fprintf(&b, "\nservice %q {\n  image = var.image\n  command = %s\n  replicas = %d\n  stop_grace_period = %q\n", s.name, s.command, s.replicas, s.grace)
		b.WriteString("  environment = { NAME = var.name }\n  labels = { \"dev.stack.test\" = \"1\" }\n")
		if s.dependsOn != "" {
			fmt.Fprintf(&b, "  depends_on = [service.%s]\n", s.dependsOn)
		}
		b.WriteString("}\n")
	}
	if err := os.WriteFile(filepath.Join(c.dir, "stack.hcl"), []byte(b.String()), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// project loads the stack file as the binary does.
func (c *cli) loadProject(name string) *spec.Project {
	c.t.Helper()
	p, err := spec.Load(spec.LoadOptions{
		Files: []string{filepath.Join(c.dir, "stack.hcl")}, ProjectName: c.project,
		Vars: map[string]string{"image": c.image, "name": name},
	})
	if err != nil {
		c.t.Fatalf("load stack: %v", err)
	}
	return p
}

// start starts `stack -p <project> <args>` with var name set to name.
func (c *cli) start(name string, args ...string) *process {
	c.t.Helper()
	args = append([]string{"-p", c.project, "--var", "image=" + c.image, "--var", "name=" + name, "--progress", "plain"}, args...)
	cmd := exec.Command(c.bin, args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	p := &process{cmd: cmd, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &p.out, &p.out
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("start stack %v: %v", args, err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	c.t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	return p
}

// run runs stack to the end and fails the test if it fails.
func (c *cli) run(name string, args ...string) string {
	c.t.Helper()
	p := c.start(name, args...)
	if err := p.wait(2 * time.Minute); err != nil {
		c.t.Fatalf("stack %v: %v\n%s", args, err, p.out.String())
	}
	return p.out.String()
}

type process struct {
	cmd  *exec.Cmd
	out  syncBuffer
	done chan struct{}
	err  error
}

// wait waits for the process to exit, killing it after timeout.
func (p *process) wait(timeout time.Duration) error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("still running after %s, killed", timeout)
	}
}

func (p *process) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v\n%s", sig, err, p.out.String())
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitUntil polls cond until it holds, failing after timeout.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// twelveServices is a chain of 12 services, some with 2 replicas, so `up`
// takes long enough to be killed in the middle.
func twelveServices() ([]serviceDef, map[string]int) {
	var defs []serviceDef
	replicas := map[string]int{}
	for i := 1; i <= 12; i++ {
		s := serviceDef{name: fmt.Sprintf("s%02d", i), command: `["serve"]`, replicas: 1 + i%3/2, grace: "5s"}
		if i > 1 {
			s.dependsOn = fmt.Sprintf("s%02d", i-1)
		}
		defs = append(defs, s)
		replicas[s.name] = s.replicas
	}
	return defs, replicas
}

func testKillMidUp(t *testing.T, c *cli) {
	defs, replicas := twelveServices()
	c.write(defs...)

	// A fresh up, killed once the first containers exist.
	p := c.start("v1", "up", "-d")
	waitUntil(t, time.Minute, "the first containers", func() bool { return len(c.containers()) >= 2 })
	p.signal(t, syscall.SIGKILL)
	p.wait(30 * time.Second)
	if n := len(c.containers()); n >= 16 {
		t.Logf("the kill came late: %d of 16 containers existed", n)
	}
	c.run("v1", "up", "-d")
	c.checkConverged(c.loadProject("v1"), replicas)

	// A recreating up (new config everywhere), killed once the first new
	// container exists: renamed-aside and "-next" containers are left.
	before := map[string]bool{}
	for _, ctr := range c.containers() {
		before[ctr.ID] = true
	}
	p = c.start("v2", "up", "-d")
	waitUntil(t, time.Minute, "the first recreated container", func() bool {
		for _, ctr := range c.containers() {
			if !before[ctr.ID] {
				return true
			}
		}
		return false
	})
	p.signal(t, syscall.SIGKILL)
	p.wait(30 * time.Second)
	c.run("v2", "up", "-d")
	c.checkConverged(c.loadProject("v2"), replicas)
}

func testConcurrentCLIUps(t *testing.T, c *cli) {
	var defs []serviceDef
	replicas := map[string]int{}
	for i := 1; i <= 4; i++ {
		s := serviceDef{name: fmt.Sprintf("s%d", i), command: `["serve"]`, replicas: 2, grace: "5s"}
		defs = append(defs, s)
		replicas[s.name] = 2
	}
	c.write(defs...)
	a, b := c.start("v1", "up", "-d"), c.start("v1", "up", "-d")
	for _, p := range []*process{a, b} {
		if err := p.wait(2 * time.Minute); err != nil {
			t.Errorf("concurrent up: %v\n%s", err, p.out.String())
		}
	}
	c.checkConverged(c.loadProject("v1"), replicas)
}

// attached starts an attached `up` and waits until it follows the logs and
// shows each ready line as often as asked: serve says "listening on" and
// hang "hanging" once their signal handling is in place.
func (c *cli) attached(ready map[string]int, defs ...serviceDef) *process {
	c.t.Helper()
	c.write(defs...)
	p := c.start("v1", "up")
	waitUntil(c.t, time.Minute, "the attached up to follow the logs", func() bool {
		out := p.out.String()
		for line, n := range ready {
			if strings.Count(out, line) < n {
				return false
			}
		}
		return true
	})
	return p
}

func testInterruptStops(t *testing.T, c *cli) {
	p := c.attached(map[string]int{"listening on": 3},
		serviceDef{name: "db", command: `["serve"]`, replicas: 1, grace: "10s"},
		serviceDef{name: "web", command: `["serve"]`, replicas: 2, grace: "10s", dependsOn: "db"},
	)
	p.signal(t, syscall.SIGINT)
	if err := p.wait(30 * time.Second); err != nil {
		t.Fatalf("attached up after ctrl-c: %v\n%s", err, p.out.String())
	}
	if out := p.out.String(); !strings.Contains(out, "gracefully stopping") {
		t.Errorf("no word of stopping in the output:\n%s", out)
	}
	got := c.containers()
	if len(got) != 3 {
		t.Errorf("containers after ctrl-c: %s, want the 3 kept", names(got))
	}
	for name, ctr := range got {
		// serve exits 0 on SIGTERM: a graceful stop, not a kill.
		if ctr.State != "exited" || !strings.HasPrefix(ctr.Status, "Exited (0)") {
			t.Errorf("%s: %s %q, want exited with 0", name, ctr.State, ctr.Status)
		}
	}
}

func testSecondInterruptKills(t *testing.T, c *cli) {
	// hang ignores SIGTERM, so its stop would take the whole grace period.
	p := c.attached(map[string]int{"listening on": 1, "hanging": 1},
		serviceDef{name: "web", command: `["serve"]`, replicas: 1, grace: "2m"},
		serviceDef{name: "slow", command: `["hang", "1h"]`, replicas: 1, grace: "2m"},
	)
	p.signal(t, syscall.SIGINT)
	waitUntil(t, 30*time.Second, "the graceful stop to begin", func() bool {
		return strings.Contains(p.out.String(), "gracefully stopping")
	})
	time.Sleep(500 * time.Millisecond)
	p.signal(t, syscall.SIGINT)
	start := time.Now()
	if err := p.wait(30 * time.Second); err != nil {
		t.Fatalf("attached up after a second ctrl-c: %v\n%s", err, p.out.String())
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("second ctrl-c took %s to end the stop", d)
	}
	if out := p.out.String(); !strings.Contains(out, "killing") {
		t.Errorf("no word of killing in the output:\n%s", out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for name, ctr := range c.containers() {
		if ctr.State == "running" {
			t.Errorf("%s still running after the kill", name)
			continue
		}
		if st, err := c.docker.ContainerInspect(ctx, ctr.ID); err == nil && strings.HasSuffix(name, "-slow-1") && st.ExitCode != 137 {
			t.Errorf("%s exited with %d, want 137 (killed)", name, st.ExitCode)
		}
	}
}
