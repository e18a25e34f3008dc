package stacktest_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/stacktest"
)

// childEnv selects what TestChild does when this test binary runs itself.
const childEnv = "STACKTEST_CHILD"

// image is the test image the fixtures run, as their ${IMAGE}.
func image(t *testing.T) stacktest.Option {
	t.Helper()
	ref := os.Getenv("STACKTEST_IMAGE")
	if ref == "" {
		ref = testenv.TestImage(t)
	}
	return stacktest.Env(map[string]string{"IMAGE": ref})
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", url, resp.Status, body)
	}
	return string(body)
}

func TestUp(t *testing.T) {
	t.Parallel()
	s := stacktest.Up(t, "testdata/compose.yaml", image(t))
	if body := get(t, "http://"+s.Endpoint(t, "api", 8080)+"/"); !strings.Contains(body, "name=api") {
		t.Errorf("api answered %q, want its name", body)
	}
	if code, out := s.Exec(t, "api", "/testimage", "get", "http://db:8080/healthz"); code != 0 {
		t.Errorf("api cannot reach db: exit %d: %s", code, out)
	}
	if code, _ := s.Exec(t, "api", "/testimage", "exit", "7"); code != 7 {
		t.Errorf("exec exit code %d, want 7", code)
	}
	if logs := s.Logs(t, "migrate"); !strings.Contains(logs, "stdout: exiting with 0") {
		t.Errorf("migrate logs: %q", logs)
	}
	// A fault: db goes away and comes back.
	s.Stop(t, "db")
	if code, _ := s.Exec(t, "api", "/testimage", "get", "http://db:8080/healthz"); code == 0 {
		t.Error("db answers while stopped")
	}
	s.Start(t, "db")
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, out := s.Exec(t, "api", "/testimage", "get", "http://db:8080/healthz")
		if code == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("db does not answer after start: %s", out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestParallel brings up the same file four times at once: each stack is
// a project of its own, reached on its own port.
func TestParallel(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	projects := map[string]bool{}
	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			name := fmt.Sprintf("api%d", i)
			s := stacktest.Up(t, "testdata/compose.yaml", image(t), stacktest.Env(map[string]string{"API_NAME": name}))
			mu.Lock()
			if projects[s.Project()] {
				t.Errorf("project %s given twice", s.Project())
			}
			projects[s.Project()] = true
			mu.Unlock()
			if body := get(t, "http://"+s.Endpoint(t, "api", 8080)+"/"); !strings.Contains(body, "name="+name+"\n") {
				t.Errorf("stack %s answered %q, want name=%s", s.Project(), body, name)
			}
		})
	}
}

func TestServices(t *testing.T) {
	t.Parallel()
	s := stacktest.Up(t, "testdata/compose.yaml", image(t), stacktest.Services("db"))
	d := testenv.Docker(t)
	cs, err := d.ContainerList(context.Background(), engine.Labels{engine.LabelProject: s.Project()})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Labels[engine.LabelService] != "db" {
		t.Errorf("Services(db) created %d containers: %+v", len(cs), cs)
	}
}

// TestReuse brings the same stack up again, as the next `go test` run
// would: unchanged, every container is kept; with one service changed,
// only that one is recreated.
func TestReuse(t *testing.T) {
	t.Parallel()
	d := testenv.Docker(t)
	ids := func(project string) map[string]string {
		cs, err := d.ContainerList(context.Background(), engine.Labels{engine.LabelProject: project})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, c := range cs {
			out[c.Labels[engine.LabelService]] = c.ID
		}
		return out
	}
	first := stacktest.Up(t, "testdata/compose.yaml", image(t), stacktest.Reuse(), stacktest.TTL(10*time.Minute))
	testenv.Cleanup(t, first.Project())
	before := ids(first.Project())

	start := time.Now()
	again := stacktest.Up(t, "testdata/compose.yaml", image(t), stacktest.Reuse(), stacktest.TTL(10*time.Minute))
	t.Logf("second Up of an unchanged stack returned in %s", time.Since(start).Round(time.Millisecond))
	if again.Project() != first.Project() {
		t.Fatalf("reused project %s, want %s", again.Project(), first.Project())
	}
	if after := ids(again.Project()); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("unchanged stack recreated: %v, was %v", after, before)
	}

	changed := stacktest.Up(t, "testdata/compose.yaml", image(t), stacktest.Reuse(), stacktest.TTL(10*time.Minute),
		stacktest.Env(map[string]string{"API_NAME": "changed"}))
	after := ids(changed.Project())
	if after["api"] == before["api"] {
		t.Error("api was not recreated after its environment changed")
	}
	if after["db"] != before["db"] {
		t.Error("db was recreated, yet it did not change")
	}
	if body := get(t, "http://"+changed.Endpoint(t, "api", 8080)+"/"); !strings.Contains(body, "name=changed") {
		t.Errorf("recreated api answered %q", body)
	}
}

// child runs this test binary's TestChild in mode and returns it running,
// with its output read line by line.
func child(t *testing.T, mode string, args []string, env ...string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestChild$", "-test.v", "-test.count=1"}, args...)...)
	cmd.Env = append(os.Environ(), append(env, childEnv+"="+mode, "STACKTEST_IMAGE="+testenv.TestImage(t))...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewScanner(out)
}

// TestChild is what child runs; it does nothing in a normal run.
func TestChild(t *testing.T) {
	mode := os.Getenv(childEnv)
	if mode == "" {
		t.Skip("run by other tests")
	}
	switch mode {
	case "broken":
		stacktest.Up(t, "testdata/broken.yaml", image(t))
	case "fail":
		s := stacktest.Up(t, "testdata/compose.yaml", image(t))
		fmt.Printf("PROJECT=%s\n", s.Project())
		t.Fatal("the test failed")
	case "hang":
		s := stacktest.Up(t, "testdata/compose.yaml", image(t))
		fmt.Printf("PROJECT=%s\n", s.Project())
		time.Sleep(5 * time.Minute)
	}
}

// output reads the child's output to its end, noting PROJECT=.
func output(sc *bufio.Scanner) (all, project string) {
	var b strings.Builder
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
		if p, ok := strings.CutPrefix(sc.Text(), "PROJECT="); ok {
			project = p
		}
	}
	return b.String(), project
}

// TestFailureOutput: a stack that does not come up fails the test with
// the reason, and the ps table and logs of every service go to its log.
func TestFailureOutput(t *testing.T) {
	t.Parallel()
	cmd, sc := child(t, "broken", nil)
	out, _ := output(sc)
	if err := cmd.Wait(); err == nil {
		t.Fatalf("the child test passed:\n%s", out)
	}
	for _, want := range []string{
		"exited with code 3",                    // the reason, as stack up --wait says it
		"NAME", "-migrate-1   migrate   exited", // the ps table
		"stdout: exiting with 3", "stderr: exiting with 3", // the logs
	} {
		if !strings.Contains(out, want) {
			t.Errorf("failed test's output lacks %q:\n%s", want, out)
		}
	}
}

// TestKeepOnFailure: with STACK_KEEP=1 or -stacktest.keep a failed test's
// stack stays, and the log says how to reach and remove it; without, it is
// gone.
func TestKeepOnFailure(t *testing.T) {
	t.Parallel()
	d := testenv.Docker(t)
	for _, tc := range []struct {
		name string
		env  string
		args []string
		keep bool
	}{
		{"default", "STACK_KEEP=0", nil, false},
		{"STACK_KEEP", "STACK_KEEP=1", nil, true},
		{"flag", "STACK_KEEP=", []string{"-stacktest.keep"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cmd, sc := child(t, "fail", tc.args, tc.env)
			out, project := output(sc)
			cmd.Wait()
			if project == "" {
				t.Fatalf("child brought up no stack:\n%s", out)
			}
			testenv.Cleanup(t, project)
			cs, err := d.ContainerList(context.Background(), engine.Labels{engine.LabelProject: project})
			if err != nil {
				t.Fatal(err)
			}
			if tc.keep && (len(cs) == 0 || !strings.Contains(out, "stack -p "+project+" down -v")) {
				t.Errorf("%d containers kept, output:\n%s", len(cs), out)
			}
			if !tc.keep && len(cs) != 0 {
				t.Errorf("failed test's stack left %d containers", len(cs))
			}
		})
	}
}

// TestSIGKILL kills a test process in the middle of its test: the reaper
// removes every container, network and volume of its session within 30 s.
func TestSIGKILL(t *testing.T) {
	t.Parallel()
	if os.Getenv("STACK_REAPER") == "off" {
		t.Skip("STACK_REAPER=off")
	}
	d := testenv.Docker(t)
	cmd, sc := child(t, "hang", nil)
	project := ""
	var out strings.Builder
	for project == "" && sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if p, ok := strings.CutPrefix(sc.Text(), "PROJECT="); ok {
			project = p
		}
	}
	if project == "" {
		cmd.Wait()
		t.Fatalf("child brought up no stack:\n%s", out.String())
	}
	testenv.Cleanup(t, project)
	filter := engine.Labels{engine.LabelProject: project}
	ctx := context.Background()
	cs, err := d.ContainerList(ctx, filter)
	if err != nil || len(cs) == 0 {
		t.Fatalf("the child's stack has %d containers (%v)", len(cs), err)
	}
	session := cs[0].Labels[engine.LabelSession]
	if session == "" || cs[0].Labels[engine.LabelSessionReaper] == "" {
		t.Fatalf("the child's containers carry no reaper session: %v", cs[0].Labels)
	}
	// The reaper is a project `stack ls` shows.
	projects, err := engine.New(d, nil, nil).Projects(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fmt.Sprint(projects), "{stack-reaper running(") {
		t.Errorf("stack ls does not show the reaper: %v", projects)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	killed := time.Now()
	bySession := engine.Labels{engine.LabelSession: session}
	for {
		cs, err1 := d.ContainerList(ctx, bySession)
		ns, err2 := d.NetworkList(ctx, bySession)
		vs, err3 := d.VolumeList(ctx, bySession)
		if err := errorsJoin(err1, err2, err3); err != nil {
			t.Fatal(err)
		}
		if len(cs)+len(ns)+len(vs) == 0 {
			t.Logf("session %s gone %s after SIGKILL", session, time.Since(killed).Round(100*time.Millisecond))
			return
		}
		if time.Since(killed) > 30*time.Second {
			t.Fatalf("30 s after SIGKILL, session %s still has %d containers, %d networks, %d volumes", session, len(cs), len(ns), len(vs))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func errorsJoin(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
