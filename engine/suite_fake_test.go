package engine_test

import (
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
)

// testImage emulates internal/testimage on a dockerfake: what each command
// does as a container's main process (OnStart) or under exec (OnExec), and
// the daemon's healthcheck loop running its probe. It answers from the
// fake's own state: "lookup" and "get" resolve through the network aliases
// of running containers, "health" by the serve process's readiness, files
// live in the volume mounted at their path.
type testImage struct {
	f *dockerfake.Fake

	mu    sync.Mutex
	files map[string]string // "<volume or container ID>:<path>" -> content
}

func emulateTestImage(f *dockerfake.Fake) {
	ti := &testImage{f: f, files: map[string]string{}}
	f.OnStart(ti.start)
	f.OnExec(func(c *dockerfake.FakeContainer, cmd []string) (engine.ExecResult, error) {
		code, out := ti.exec(c, cmd)
		return engine.ExecResult{ExitCode: code, Output: out}, nil
	})
}

// mainCommand is the container's command line after the image's entrypoint
// (/testimage), with the image's default command, serve.
func mainCommand(c *dockerfake.FakeContainer) []string {
	if len(c.Spec.Cmd) == 0 {
		return []string{"serve"}
	}
	return c.Spec.Cmd
}

// start plays the container's main process.
func (ti *testImage) start(c *dockerfake.FakeContainer) {
	cmd := mainCommand(c)
	switch cmd[0] {
	case "serve":
		port, _ := serveFlags(cmd[1:])
		ti.f.WriteLog(c.ID, false, fmt.Sprintf("listening on :%d\n", port))
		if hc := c.Spec.Healthcheck; hc != nil && len(hc.Test) > 0 && hc.Test[0] != "NONE" {
			go ti.healthchecks(c)
		}
	case "sleep", "hang":
		// Runs until stopped.
	case "exit":
		code, after, err := exitFlags(cmd[1:])
		if err != nil {
			ti.exitWith(c, 1, "", "testimage: "+err.Error()+"\n")
			return
		}
		stdout := fmt.Sprintf("stdout: exiting with %d\n", code)
		stderr := fmt.Sprintf("stderr: exiting with %d\n", code)
		if after <= 0 {
			ti.exitWith(c, code, stdout, stderr)
			return
		}
		ti.f.WriteLog(c.ID, false, stdout)
		ti.f.WriteLog(c.ID, true, stderr)
		time.AfterFunc(after, func() {
			if ti.sameRun(c) {
				ti.f.ExitContainer(c.ID, code)
			}
		})
	default:
		// One-shot commands run as the main process print and exit.
		code, out := ti.run(c, cmd)
		if code == 0 {
			ti.exitWith(c, 0, out, "")
		} else {
			ti.exitWith(c, code, "", out)
		}
	}
}

func (ti *testImage) exitWith(c *dockerfake.FakeContainer, code int, stdout, stderr string) {
	if stdout != "" {
		ti.f.WriteLog(c.ID, false, stdout)
	}
	if stderr != "" {
		ti.f.WriteLog(c.ID, true, stderr)
	}
	ti.f.ExitContainer(c.ID, code)
}

// sameRun reports whether c is still running the process started when
// the snapshot c was taken.
func (ti *testImage) sameRun(c *dockerfake.FakeContainer) bool {
	now, err := ti.f.Container(c.ID)
	return err == nil && now.State == "running" && now.StartedAt.Equal(c.StartedAt)
}

// healthchecks is the daemon's healthcheck loop: the probe every interval,
// healthy on a pass, unhealthy after retries failures past the start period.
func (ti *testImage) healthchecks(c *dockerfake.FakeContainer) {
	hc := c.Spec.Healthcheck
	interval, retries := hc.Interval, hc.Retries
	if interval <= 0 {
		interval = 30 * time.Second
	}
	if retries <= 0 {
		retries = 3
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	status, failures := "starting", 0
	for range tick.C {
		if !ti.sameRun(c) {
			return
		}
		next := status
		if code, _ := ti.probe(c, hc.Test); code == 0 {
			failures, next = 0, "healthy"
		} else if time.Since(c.StartedAt) >= hc.StartPeriod {
			if failures++; failures >= retries {
				next = "unhealthy"
			}
		}
		if next != status {
			ti.f.SetHealth(c.ID, next)
			status = next
		}
	}
}

// probe runs a healthcheck test; a scratch image has no shell for CMD-SHELL.
func (ti *testImage) probe(c *dockerfake.FakeContainer, test []string) (int, string) {
	if len(test) < 2 || test[0] != "CMD" {
		return 127, "exec: no shell in the test image"
	}
	return ti.exec(c, test[1:])
}

// exec runs a command line in c: only /testimage exists in the image.
func (ti *testImage) exec(c *dockerfake.FakeContainer, cmd []string) (int, string) {
	if len(cmd) == 0 || cmd[0] != "/testimage" {
		return 127, fmt.Sprintf("exec: %q: executable file not found", strings.Join(cmd, " "))
	}
	if len(cmd) == 1 {
		return 2, "usage: testimage COMMAND [ARGS]\n"
	}
	return ti.run(c, cmd[1:])
}

// run plays one test image command that ends by itself, returning its exit
// code and output.
func (ti *testImage) run(c *dockerfake.FakeContainer, cmd []string) (int, string) {
	args := cmd[1:]
	switch cmd[0] {
	case "health":
		fs := flag.NewFlagSet("health", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		u := fs.String("url", "http://127.0.0.1:8080/healthz", "")
		if err := fs.Parse(args); err != nil {
			return 2, err.Error()
		}
		if code, out := ti.get(c, *u); code != 0 {
			return code, strings.Replace(out, "testimage: get:", "testimage: health:", 1)
		}
		return 0, "healthy\n"
	case "get":
		if len(args) != 1 {
			return 1, "testimage: usage: get URL\n"
		}
		return ti.get(c, args[0])
	case "lookup":
		if len(args) != 1 {
			return 1, "testimage: usage: lookup NAME\n"
		}
		targets := ti.resolve(c, args[0])
		if len(targets) == 0 {
			return 1, fmt.Sprintf("testimage: lookup %s: no such host\n", args[0])
		}
		var b strings.Builder
		for _, t := range targets {
			fmt.Fprintln(&b, fakeIP(t.ID))
		}
		return 0, b.String()
	case "exit":
		code, _, err := exitFlags(args)
		if err != nil {
			return 1, "testimage: " + err.Error() + "\n"
		}
		return code, fmt.Sprintf("stdout: exiting with %d\nstderr: exiting with %d\n", code, code)
	case "write":
		if len(args) != 2 {
			return 1, "testimage: usage: write PATH TEXT\n"
		}
		ti.mu.Lock()
		ti.files[fileKey(c, args[0])] = args[1]
		ti.mu.Unlock()
		return 0, ""
	case "cat":
		if len(args) != 1 {
			return 1, "testimage: usage: cat PATH\n"
		}
		ti.mu.Lock()
		content, ok := ti.files[fileKey(c, args[0])]
		ti.mu.Unlock()
		if !ok {
			return 1, fmt.Sprintf("testimage: cat: open %s: no such file or directory\n", args[0])
		}
		return 0, content
	case "sleep":
		if len(args) != 1 {
			return 1, "testimage: usage: sleep D\n"
		}
		d, err := time.ParseDuration(args[0])
		if err != nil {
			return 1, "testimage: sleep: " + err.Error() + "\n"
		}
		time.Sleep(d)
		return 0, ""
	}
	return 2, fmt.Sprintf("testimage: unknown command %q\n", cmd[0])
}

// get answers GET rawURL from inside c: the host resolves as lookup does
// (127.0.0.1 and localhost are c itself), and a container answers only if
// its main process is serve on that port.
func (ti *testImage) get(c *dockerfake.FakeContainer, rawURL string) (int, string) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return 1, "testimage: get: " + err.Error() + "\n"
	}
	host, portText, err := net.SplitHostPort(u.Host)
	if err != nil {
		host, portText = u.Host, "80"
	}
	port, _ := strconv.Atoi(portText)
	var targets []*dockerfake.FakeContainer
	if host == "127.0.0.1" || host == "localhost" {
		targets = []*dockerfake.FakeContainer{c}
	} else if targets = ti.resolve(c, host); len(targets) == 0 {
		return 1, fmt.Sprintf("testimage: get: dial tcp: lookup %s: no such host\n", host)
	}
	// DNS hands out one of the addresses; the client dials that one.
	t := targets[rand.IntN(len(targets))]
	cmd := mainCommand(t)
	servePort, readyAfter := serveFlags(cmd[1:])
	if cmd[0] != "serve" || servePort != port {
		return 1, fmt.Sprintf("testimage: get: dial tcp %s:%d: connect: connection refused\n", fakeIP(t.ID), port)
	}
	switch u.Path {
	case "/healthz":
		if time.Since(t.StartedAt) < readyAfter {
			return 1, "not ready\ntestimage: get: " + rawURL + " answered 503 Service Unavailable\n"
		}
		return 0, "ok\n"
	default:
		hostname := t.Spec.Hostname
		if hostname == "" {
			hostname = t.ID[:12]
		}
		name := ""
		for _, kv := range t.Spec.Env {
			if v, ok := strings.CutPrefix(kv, "NAME="); ok {
				name = v
			}
		}
		return 0, fmt.Sprintf("hostname=%s name=%s\n", hostname, name)
	}
}

// resolve is Docker's embedded DNS as seen from c: the running containers
// that share a network with c and carry name as an alias or as their name.
func (ti *testImage) resolve(c *dockerfake.FakeContainer, name string) []*dockerfake.FakeContainer {
	list, err := ti.f.ContainerList(context.Background(), nil)
	if err != nil {
		return nil
	}
	var out []*dockerfake.FakeContainer
	for _, l := range list {
		other, err := ti.f.Container(l.ID)
		if err != nil || other.State != "running" {
			continue
		}
		for network, aliases := range other.Networks {
			if _, shared := c.Networks[network]; shared && (other.Name == name || slices.Contains(aliases, name)) {
				out = append(out, other)
				break
			}
		}
	}
	return out
}

// fileKey names a file by the volume mounted at its path, or else by the
// container's own filesystem.
func fileKey(c *dockerfake.FakeContainer, p string) string {
	p = path.Clean(p)
	for _, m := range c.Mounts { // anonymous volumes named, as made
		if rel, ok := strings.CutPrefix(p, path.Clean(m.Target)+"/"); ok && m.Type == "volume" && m.Source != "" {
			return m.Source + ":" + rel
		}
	}
	return c.ID + ":" + p
}

// fakeIP is a stable, plausible container address for output.
func fakeIP(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	n := h.Sum32()
	return fmt.Sprintf("172.%d.%d.%d", 18+n%8, (n>>8)%256, 2+(n>>16)%250)
}

// serveFlags parses serve's flags as the test image does.
func serveFlags(args []string) (port int, readyAfter time.Duration) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	p := fs.Int("port", 8080, "")
	r := fs.Duration("ready-after", 0, "")
	_ = fs.Parse(args)
	return *p, *r
}

// exitFlags parses exit's arguments as the test image does.
func exitFlags(args []string) (code int, after time.Duration, err error) {
	if len(args) < 1 {
		return 0, 0, fmt.Errorf("usage: exit CODE [--after D]")
	}
	if code, err = strconv.Atoi(args[0]); err != nil {
		return 0, 0, fmt.Errorf("exit: bad code %q: %v", args[0], err)
	}
	fs := flag.NewFlagSet("exit", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	a := fs.Duration("after", 0, "")
	if err := fs.Parse(args[1:]); err != nil {
		return 0, 0, err
	}
	return code, *a, nil
}
