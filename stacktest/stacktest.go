// Package stacktest brings up a whole stack for a Go test: it loads a
// compose file or stack.hcl with the same loaders as the stack CLI, gives
// it a project of its own, brings it up as `stack up --wait` does and tears
// it down when the test ends. A reaper removes whatever a killed test
// process leaves behind.
//
// Start with [Up]; reach services with [Stack.Endpoint]. See
// docs/testing.md in the stack repository for a guide.
//
//	func TestCheckout(t *testing.T) {
//		t.Parallel()
//		s := stacktest.Up(t, "testdata/compose.yaml")
//		resp, err := http.Get("http://" + s.Endpoint(t, "api", 8080) + "/healthz")
//		...
//	}
package stacktest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
)

var keepFlag = flag.Bool("stacktest.keep", false, "keep the stacks of failed tests running (as STACK_KEEP=1)")

// keep reports whether a failed test's stack stays up: -stacktest.keep or
// STACK_KEEP=1.
func keep() bool {
	if *keepFlag {
		return true
	}
	v := os.Getenv("STACK_KEEP")
	return v != "" && v != "0" && v != "false"
}

// Defaults of the options.
const (
	DefaultWaitTimeout = 2 * time.Minute
	// DefaultTTL is how long a reused or kept stack lives before the
	// reaper removes it.
	DefaultTTL = time.Hour
)

type config struct {
	env         map[string]string
	vars        map[string]string
	profiles    []string
	services    []string
	files       []string
	waitTimeout time.Duration
	reuse       bool
	ttl         time.Duration
}

// Option tunes Up.
type Option func(*config)

// Env sets environment variables for compose interpolation (and HCL's
// STACK_VAR_*), over the test process's own.
func Env(env map[string]string) Option {
	return func(c *config) {
		for k, v := range env {
			c.env[k] = v
		}
	}
}

// Vars sets HCL variables, as --var does.
func Vars(vars map[string]string) Option {
	return func(c *config) {
		for k, v := range vars {
			c.vars[k] = v
		}
	}
}

// Profiles enables the services of these profiles.
func Profiles(profiles ...string) Option {
	return func(c *config) { c.profiles = append(c.profiles, profiles...) }
}

// Services brings up only these services and what they depend on.
func Services(services ...string) Option {
	return func(c *config) { c.services = append(c.services, services...) }
}

// Files adds override files, merged over the first as -f does.
func Files(files ...string) Option {
	return func(c *config) { c.files = append(c.files, files...) }
}

// WaitTimeout bounds the wait for every service to be ready
// (DefaultWaitTimeout).
func WaitTimeout(d time.Duration) Option {
	return func(c *config) { c.waitTimeout = d }
}

// Reuse keeps the stack running after the test and finds it again in the
// next run: a stack whose resolved configuration (the config hash of every
// service, image IDs included) is unchanged is reused as it is, a changed
// service is recreated. The reaper removes it once its TTL has passed.
func Reuse() Option {
	return func(c *config) { c.reuse = true }
}

// TTL is how long a reused stack, or one kept after a failure, lives
// before the reaper removes it (DefaultTTL).
func TTL(d time.Duration) Option {
	return func(c *config) { c.ttl = d }
}

// Stack is a stack brought up for a test.
type Stack struct {
	project string
	p       *spec.Project
	e       *engine.Engine
	reuse   bool
	kept    bool // kept after a failure: the reaper's connections do not own it
}

// Up brings up the stack of file for the test t and returns it once every
// service is running (healthy where it has a healthcheck) and every job
// has completed. The stack gets a project of its own, named after the
// test; it is removed with its volumes when the test ends, and on failure
// its ps table and logs go to the test log first. Failures are t.Fatal.
//
// Without a Docker engine Up skips the test, unless CI=true.
func Up(t testing.TB, file string, opts ...Option) *Stack {
	t.Helper()
	cfg := config{env: map[string]string{}, vars: map[string]string{}, waitTimeout: DefaultWaitTimeout, ttl: DefaultTTL}
	for _, o := range opts {
		o(&cfg)
	}
	d := docker(t)
	files := append([]string{file}, cfg.files...)
	name := projectName(t, cfg.reuse, files)
	p, err := spec.LoadServices(spec.LoadOptions{
		Files:       files,
		ProjectName: name,
		Profiles:    cfg.profiles,
		Environ:     environ(cfg.env),
		Vars:        cfg.vars,
	}, cfg.services...)
	if err != nil {
		t.Fatalf("stacktest: %v", err)
	}
	s := &Stack{project: name, p: p, e: engine.New(d, nil, nil), reuse: cfg.reuse}
	s.kept = !cfg.reuse && keep()
	outlive := ""
	switch {
	case cfg.reuse:
		outlive = "reuse-" + name
	case s.kept:
		outlive = "keep-" + name
	}
	labels, err := sessionLabels(d, outlive, cfg.ttl)
	if err != nil {
		t.Fatalf("stacktest: %v", err)
	}
	p.Labels = labels
	t.Cleanup(func() { s.cleanup(t) })
	ctx, cancel := context.WithTimeout(context.Background(), cfg.waitTimeout+10*time.Minute)
	defer cancel()
	if _, err := s.e.Up(ctx, p, engine.UpOptions{
		Plan:        engine.PlanOptions{Services: cfg.services},
		Wait:        true,
		WaitTimeout: cfg.waitTimeout,
	}); err != nil {
		t.Fatalf("stacktest: up %s (%s): %v", name, file, err)
	}
	return s
}

// Project is the stack's project name, for the stack CLI (`stack -p NAME`)
// and labels (com.docker.compose.project=NAME).
func (s *Stack) Project() string { return s.project }

// Endpoint returns host:port of the host port that container port (tcp)
// of the first replica of service is published on, to dial from the test.
func (s *Stack) Endpoint(t testing.TB, service string, port int) string {
	t.Helper()
	return s.EndpointOf(t, service, 1, port)
}

// EndpointOf is Endpoint for replica (counting from 1) of service.
func (s *Stack) EndpointOf(t testing.TB, service string, replica, port int) string {
	t.Helper()
	addr, err := s.e.Port(context.Background(), s.project, service, replica, uint16(port), "tcp")
	if err != nil {
		t.Fatalf("stacktest: endpoint of %s: %v", service, err)
	}
	host, hostPort, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("stacktest: endpoint of %s: %v", service, err)
	}
	switch host {
	case "0.0.0.0", "":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return net.JoinHostPort(host, hostPort)
}

// Exec runs cmd in the first replica of service and returns its exit
// code and combined output. Failing to run it at all is t.Fatal.
func (s *Stack) Exec(t testing.TB, service string, cmd ...string) (int, string) {
	t.Helper()
	var out lockedBuffer
	code, err := s.e.Exec(context.Background(), s.p, engine.ServiceExecOptions{
		Service: service, Cmd: cmd,
		Streams: engine.Streams{Stdout: &out, Stderr: &out},
	})
	if err != nil {
		t.Fatalf("stacktest: exec in %s: %v", service, err)
	}
	return code, out.String()
}

// Logs returns the output of service's containers so far, one line each.
func (s *Stack) Logs(t testing.TB, service string) string {
	t.Helper()
	lines, err := s.logs(context.Background(), service, "all")
	if err != nil {
		t.Fatalf("stacktest: logs of %s: %v", service, err)
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Text + "\n")
	}
	return b.String()
}

// Stop stops service's containers, for fault tests; Start starts them
// again, Restart does both.
func (s *Stack) Stop(t testing.TB, service string) {
	t.Helper()
	if err := s.e.Stop(context.Background(), s.project, engine.StopOptions{Services: []string{service}}); err != nil {
		t.Fatalf("stacktest: stop %s: %v", service, err)
	}
}

// Start starts service's stopped containers.
func (s *Stack) Start(t testing.TB, service string) {
	t.Helper()
	if err := s.e.Start(context.Background(), s.project, []string{service}); err != nil {
		t.Fatalf("stacktest: start %s: %v", service, err)
	}
}

// Restart restarts service's containers.
func (s *Stack) Restart(t testing.TB, service string) {
	t.Helper()
	if err := s.e.Restart(context.Background(), s.project, engine.StopOptions{Services: []string{service}}); err != nil {
		t.Fatalf("stacktest: restart %s: %v", service, err)
	}
}

func (s *Stack) cleanup(t testing.TB) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if t.Failed() {
		s.report(ctx, t)
	}
	switch {
	case s.reuse:
		return // the next run finds it; the reaper removes it after its TTL
	case t.Failed() && s.kept:
		t.Logf("stacktest: kept %s (STACK_KEEP); see it with `stack -p %[1]s ps`, remove it with `stack -p %[1]s down -v`; the reaper removes it after its TTL", s.project)
		return
	}
	zero := time.Duration(0)
	if err := s.e.Down(ctx, s.project, engine.DownOptions{Volumes: true, Timeout: &zero}); err != nil {
		t.Errorf("stacktest: down %s: %v", s.project, err)
	}
}

// report writes the ps table and the last 50 log lines of every container
// to the test log.
func (s *Stack) report(ctx context.Context, t testing.TB) {
	rows, err := s.e.Ps(ctx, s.project, engine.PsOptions{All: true})
	if err != nil {
		t.Logf("stacktest: ps %s: %v", s.project, err)
		return
	}
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSERVICE\tSTATE\tHEALTH\tEXIT\tPORTS")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", r.Name, r.Service, r.State, dash(r.Health), r.ExitCode, dash(strings.Join(r.Ports, ", ")))
	}
	tw.Flush()
	fmt.Fprintf(&b, "\n")
	lines, err := s.logs(ctx, "", "50")
	if err != nil {
		fmt.Fprintf(&b, "logs: %v\n", err)
	}
	for _, l := range lines {
		fmt.Fprintf(&b, "%s | %s\n", l.Container, l.Text)
	}
	t.Logf("stacktest: %s failed; its containers and their last 50 log lines:\n%s", s.project, b.String())
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// logs returns the log lines of service ("" for all), grouped by
// container, in order within each.
func (s *Stack) logs(ctx context.Context, service, tail string) ([]engine.LogLine, error) {
	var mu sync.Mutex
	byContainer := map[string][]engine.LogLine{}
	var services []string
	if service != "" {
		services = []string{service}
	}
	err := s.e.Logs(ctx, s.project, engine.LogsOptions{Services: services, LogOptions: engine.LogOptions{Tail: tail}},
		func(l engine.LogLine) {
			mu.Lock()
			byContainer[l.Container] = append(byContainer[l.Container], l)
			mu.Unlock()
		})
	names := make([]string, 0, len(byContainer))
	for n := range byContainer {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []engine.LogLine
	for _, n := range names {
		out = append(out, byContainer[n]...)
	}
	return out, err
}

// projectName is the test's name made a valid project name plus a random
// suffix; for a reused stack, a suffix from the test's folder and files,
// so the next run finds it.
func projectName(t testing.TB, reuse bool, files []string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(t.Name()) {
		if b.Len() >= 32 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	base := strings.Trim(b.String(), "-")
	if base == "" {
		base = "test"
	}
	if reuse {
		wd, _ := os.Getwd()
		h := sha256.New()
		fmt.Fprintln(h, wd, t.Name())
		for _, f := range files {
			abs, _ := filepath.Abs(f)
			fmt.Fprintln(h, abs)
		}
		return "reuse-" + base + "-" + hex.EncodeToString(h.Sum(nil))[:8]
	}
	return base + "-" + randomHex(4)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("stacktest: random: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// environ is the test process's environment with env over it.
func environ(env map[string]string) []string {
	merged := map[string]string{}
	var order []string
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if _, ok := merged[k]; !ok {
			order = append(order, k)
		}
		merged[k] = v
	}
	for k, v := range env {
		if _, ok := merged[k]; !ok {
			order = append(order, k)
		}
		merged[k] = v
	}
	out := make([]string, 0, len(order))
	for _, k := range order {
		out = append(out, k+"="+merged[k])
	}
	return out
}

// lockedBuffer is a bytes.Buffer two streams can write to at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
