package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
	"github.com/stack-dev/stack/spec"
)

const oneoffImage = "oneoff-test:dev"

// oneoffStack is a project "p" with an api (a server, with a healthcheck)
// and a client that depends on it being healthy.
func oneoffStack() *spec.Project {
	p := &spec.Project{Name: "p", Services: map[string]*spec.Service{}, Networks: map[string]*spec.Network{
		"default": {Key: "default", Name: "p_default"},
	}}
	p.Services["api"] = &spec.Service{
		Name: "api", Image: oneoffImage, Replicas: 1, Command: []string{"serve"},
		Healthcheck: &spec.Healthcheck{Test: []string{"CMD", "/testimage", "health"}, Interval: time.Second},
		Restart:     "always",
	}
	p.Services["client"] = &spec.Service{
		Name: "client", Image: oneoffImage, Replicas: 1, Command: []string{"sleep", "1h"},
		Environment: map[string]string{"MODE": "service", "KEEP": "yes"},
		Ports:       []spec.Port{{HostPort: "8080", ContainerPort: 8080}},
		Restart:     "always",
		DependsOn:   map[string]spec.Dependency{"api": {Condition: spec.ConditionHealthy, Required: true}},
	}
	return p
}

// newOneoffFake returns a fake daemon and an engine on it. Containers play
// the test image: "exit N" prints a line to stdout and one to stderr and
// exits N, "serve" turns healthy after a moment, anything else runs until
// stopped; exec "/testimage exit N" does the same as a command. started
// records, per container name, whether api was healthy when it started.
func newOneoffFake(t *testing.T) (f *dockerfake.Fake, e *engine.Engine, apiHealthyAt func(name string) bool) {
	f = dockerfake.New()
	f.AddImage(engine.Image{ID: "sha256:" + strings.Repeat("0f", 32), RepoTags: []string{oneoffImage}})
	var mu sync.Mutex
	healthyAt := map[string]bool{}
	f.OnStart(func(c *dockerfake.FakeContainer) {
		mu.Lock()
		healthyAt[c.Name] = apiHealthy(f)
		mu.Unlock()
		switch cmd := c.Spec.Cmd; {
		case len(cmd) == 2 && cmd[0] == "exit":
			code, _ := strconv.Atoi(cmd[1])
			f.WriteLog(c.ID, false, fmt.Sprintf("stdout: exiting with %d\n", code))
			f.WriteLog(c.ID, true, fmt.Sprintf("stderr: exiting with %d\n", code))
			f.ExitContainer(c.ID, code)
		case len(cmd) > 0 && cmd[0] == "serve":
			time.AfterFunc(50*time.Millisecond, func() { f.SetHealth(c.ID, "healthy") })
		}
	})
	f.OnExec(func(c *dockerfake.FakeContainer, cmd []string) (engine.ExecResult, error) {
		if len(cmd) == 3 && cmd[0] == "/testimage" && cmd[1] == "exit" {
			code, err := strconv.Atoi(cmd[2])
			if err != nil {
				return engine.ExecResult{}, err
			}
			return engine.ExecResult{ExitCode: code, Output: fmt.Sprintf("%s: exiting with %d\n", c.Name, code)}, nil
		}
		return engine.ExecResult{ExitCode: 127, Output: "unknown command\n"}, nil
	})
	return f, engine.New(f, nil, nil), func(name string) bool {
		mu.Lock()
		defer mu.Unlock()
		return healthyAt[name]
	}
}

func apiHealthy(f *dockerfake.Fake) bool {
	c, err := f.Container("p-api-1")
	return err == nil && c.Health == "healthy"
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// oneoffs returns the project's one-off containers.
func oneoffs(t *testing.T, f *dockerfake.Fake) []engine.Container {
	t.Helper()
	list, err := f.ContainerList(context.Background(), engine.Labels{engine.LabelProject: "p", engine.LabelOneoff: "True"})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestRunAttached(t *testing.T) {
	tests := []struct {
		name       string
		opts       engine.RunOptions
		wantCode   int
		wantStdout string
		wantStderr string
		wantLeft   int // one-off containers left afterwards
	}{
		{
			name:       "output and exit code, removed",
			opts:       engine.RunOptions{Service: "client", Cmd: []string{"exit", "3"}, Remove: true},
			wantCode:   3,
			wantStdout: "stdout: exiting with 3\n",
			wantStderr: "stderr: exiting with 3\n",
		},
		{
			name:       "kept without remove",
			opts:       engine.RunOptions{Service: "client", Cmd: []string{"exit", "0"}},
			wantStdout: "stdout: exiting with 0\n",
			wantStderr: "stderr: exiting with 0\n",
			wantLeft:   1,
		},
		{
			name:       "tty merges stderr into stdout",
			opts:       engine.RunOptions{Service: "client", Cmd: []string{"exit", "1"}, Remove: true, Streams: engine.Streams{Tty: true}},
			wantCode:   1,
			wantStdout: "stdout: exiting with 1\nstderr: exiting with 1\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, e, _ := newOneoffFake(t)
			var stdout, stderr bytes.Buffer
			tt.opts.Stdout, tt.opts.Stderr = &stdout, &stderr
			res, err := e.Run(testContext(t), oneoffStack(), tt.opts)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.ExitCode != tt.wantCode {
				t.Errorf("exit code %d, want %d", res.ExitCode, tt.wantCode)
			}
			if stdout.String() != tt.wantStdout || stderr.String() != tt.wantStderr {
				t.Errorf("stdout %q stderr %q, want %q and %q", stdout.String(), stderr.String(), tt.wantStdout, tt.wantStderr)
			}
			if left := oneoffs(t, f); len(left) != tt.wantLeft {
				t.Errorf("%d one-off containers left, want %d", len(left), tt.wantLeft)
			}
		})
	}
}

func TestRunContainerSpec(t *testing.T) {
	tests := []struct {
		name           string
		opts           engine.RunOptions
		wantName       string // "" means the generated one
		wantCmd        []string
		wantEntrypoint []string
		wantEnv        []string
	}{
		{
			name:    "service config",
			opts:    engine.RunOptions{Service: "client"},
			wantCmd: []string{"sleep", "1h"},
			wantEnv: []string{"KEEP=yes", "MODE=service"},
		},
		{
			name:     "overrides",
			opts:     engine.RunOptions{Service: "client", Cmd: []string{"lookup", "api"}, Env: []string{"MODE=oneoff", "EXTRA=1"}, Name: "mine"},
			wantName: "mine",
			wantCmd:  []string{"lookup", "api"},
			wantEnv:  []string{"EXTRA=1", "KEEP=yes", "MODE=oneoff"},
		},
		{
			name:           "entrypoint drops the service command",
			opts:           engine.RunOptions{Service: "client", Entrypoint: []string{"/bin/other", "-x"}},
			wantEntrypoint: []string{"/bin/other", "-x"},
			wantEnv:        []string{"KEEP=yes", "MODE=service"},
		},
		{
			name:    "service ports and aliases when asked",
			opts:    engine.RunOptions{Service: "client", ServicePorts: true, UseAliases: true},
			wantCmd: []string{"sleep", "1h"},
			wantEnv: []string{"KEEP=yes", "MODE=service"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, e, _ := newOneoffFake(t)
			tt.opts.Detach = true
			res, err := e.Run(testContext(t), oneoffStack(), tt.opts)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			c, err := f.Container(res.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantName != "" && c.Name != tt.wantName {
				t.Errorf("name %q, want %q", c.Name, tt.wantName)
			}
			if tt.wantName == "" && !strings.HasPrefix(c.Name, "p-client-run-") || c.Name != res.Name {
				t.Errorf("name %q (result %q), want p-client-run-<random>", c.Name, res.Name)
			}
			if c.State != "running" {
				t.Errorf("state %q, want running (detached)", c.State)
			}
			s := c.Spec
			if !slices.Equal(s.Cmd, tt.wantCmd) || !slices.Equal(s.Entrypoint, tt.wantEntrypoint) {
				t.Errorf("cmd %q entrypoint %q, want %q %q", s.Cmd, s.Entrypoint, tt.wantCmd, tt.wantEntrypoint)
			}
			if !slices.Equal(s.Env, tt.wantEnv) {
				t.Errorf("env %q, want %q", s.Env, tt.wantEnv)
			}
			if s.Labels[engine.LabelOneoff] != "True" || s.Labels[engine.LabelProject] != "p" || s.Labels[engine.LabelService] != "client" {
				t.Errorf("labels %v, want a one-off of p/client", s.Labels)
			}
			if (len(s.Ports) != 0) != tt.opts.ServicePorts || s.RestartPolicy != "" {
				t.Errorf("ports %v restart %q, want the service's ports only with ServicePorts, and no restart policy", s.Ports, s.RestartPolicy)
			}
			// The service's name belongs to its own containers: traffic for
			// it must not land on a one-off, unless asked.
			if aliases, ok := c.Networks["p_default"]; !ok || slices.Contains(aliases, "client") != tt.opts.UseAliases {
				t.Errorf("networks %v, want p_default, with alias client only with UseAliases", c.Networks)
			}
		})
	}
}

func TestRunDependencies(t *testing.T) {
	tests := []struct {
		name    string
		noDeps  bool
		wantAPI bool
	}{
		{"brings up dependencies and waits for their condition", false, true},
		{"no deps", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, e, healthyAt := newOneoffFake(t)
			res, err := e.Run(testContext(t), oneoffStack(), engine.RunOptions{Service: "client", Cmd: []string{"exit", "0"}, NoDeps: tt.noDeps})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			_, err = f.Container("p-api-1")
			if gotAPI := err == nil; gotAPI != tt.wantAPI {
				t.Fatalf("api container exists: %v, want %v", gotAPI, tt.wantAPI)
			}
			if tt.wantAPI && !healthyAt(res.Name) {
				t.Errorf("one-off started before api was healthy")
			}
			if _, err := f.Container("p-client-1"); err == nil {
				t.Errorf("run created the client service container p-client-1")
			}
		})
	}
}

func TestRunInterrupted(t *testing.T) {
	tests := []struct {
		name      string
		remove    bool
		wantState string // "" means removed
	}{
		{"removed with --rm", true, ""},
		{"stopped without", false, "exited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, e, _ := newOneoffFake(t)
			ctx, cancel := context.WithCancel(testContext(t))
			f.OnStart(func(c *dockerfake.FakeContainer) {
				if c.Spec.Labels[engine.LabelOneoff] == "True" {
					cancel() // Ctrl-C while it runs
				}
			})
			_, err := e.Run(ctx, oneoffStack(), engine.RunOptions{Service: "client", NoDeps: true, Remove: tt.remove})
			if !errors.Is(err, engine.ErrInterrupted) {
				t.Fatalf("Run: %v, want ErrInterrupted", err)
			}
			left := oneoffs(t, f)
			switch {
			case tt.wantState == "" && len(left) != 0:
				t.Errorf("left %v, want it removed", left)
			case tt.wantState != "" && (len(left) != 1 || left[0].State != tt.wantState):
				t.Errorf("left %v, want one %s", left, tt.wantState)
			}
		})
	}
}

func TestRunDetached(t *testing.T) {
	tests := []struct {
		name      string
		remove    bool
		wantState string // "" means removed
	}{
		{"with --rm the daemon removes it on exit", true, ""},
		{"without it stays", false, "exited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, e, _ := newOneoffFake(t)
			res, err := e.Run(testContext(t), oneoffStack(), engine.RunOptions{
				Service: "client", NoDeps: true, Detach: true, Remove: tt.remove, Cmd: []string{"exit", "0"},
			})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.Name == "" || res.ExitCode != 0 {
				t.Errorf("result %+v, want a name and no exit code", res)
			}
			if n := f.Calls("ContainerWait"); n != 0 {
				t.Errorf("%d waits, want none: a detached one-off is not waited for", n)
			}
			left := oneoffs(t, f)
			switch {
			case tt.wantState == "" && len(left) != 0:
				t.Errorf("left %v, want it removed by the daemon", left)
			case tt.wantState != "" && (len(left) != 1 || left[0].State != tt.wantState):
				t.Errorf("left %v, want one %s", left, tt.wantState)
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name    string
		opts    engine.RunOptions
		wantErr string
	}{
		{"no such service", engine.RunOptions{Service: "nope"}, "no such service: nope"},
		{"bad env", engine.RunOptions{Service: "client", NoDeps: true, Env: []string{"NOVALUE"}}, `environment "NOVALUE"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, e, _ := newOneoffFake(t)
			_, err := e.Run(testContext(t), oneoffStack(), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Run: %v, want an error with %q", err, tt.wantErr)
			}
			if n := f.Calls("ContainerCreate"); n != 0 {
				t.Errorf("%d containers created, want none", n)
			}
		})
	}
}

func TestRunPassesSignalsOn(t *testing.T) {
	f, e, _ := newOneoffFake(t)
	signals := make(chan string, 1)
	f.OnStart(func(c *dockerfake.FakeContainer) {
		if c.Spec.Labels[engine.LabelOneoff] == "True" {
			signals <- "SIGINT" // Ctrl-C while it runs
		}
	})
	res, err := e.Run(testContext(t), oneoffStack(), engine.RunOptions{
		Service: "client", NoDeps: true, Signals: signals, Cmd: []string{"sleep", "1h"},
	})
	if err != nil {
		t.Fatalf("Run: %v, want the one-off's own exit", err)
	}
	if res.ExitCode != 130 {
		t.Errorf("exit code %d, want 130: SIGINT reached the one-off", res.ExitCode)
	}
	if n := f.Calls("ContainerKill"); n != 1 {
		t.Errorf("%d kills, want the one signal passed on", n)
	}
}
