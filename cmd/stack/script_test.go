package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the scripts run `stack` as a command of this test binary.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"stack": func() { main() },
	})
}

// TestScripts runs the CLI stories in testdata/*.txtar. Scripts that need
// the engine start with `[!docker] skip`; in CI (CI=true) a missing engine
// fails instead. Each script gets its own project name in $PROJECT, and
// everything labelled with it is removed afterwards, pass or fail.
func TestScripts(t *testing.T) {
	docker := dockerAvailable()
	if !docker && os.Getenv("CI") == "true" {
		t.Fatal("no docker engine answers, and CI=true: engine-backed scripts must run in CI")
	}
	image := ""
	if docker {
		image = testImage(t)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Setup: func(env *testscript.Env) error {
			project := "ts" + randomHex(4)
			env.Setenv("PROJECT", project)
			env.Setenv("TESTIMAGE", image)
			env.Setenv("NO_COLOR", "1")
			for _, v := range []string{"DOCKER_HOST", "PATH", "CI"} {
				env.Setenv(v, os.Getenv(v))
			}
			env.Defer(func() { removeProject(project) })
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exit-code": exitCodeCmd,
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "docker":
				return docker, nil
			case "swarm":
				// The engine manages a swarm: a script that wants deploy
				// to fail for want of one skips then.
				return docker && swarmManager(), nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

// exitCodeCmd runs `exit-code N prog args...` and fails unless prog exits
// with N; stdout and stderr are kept for the next assertions.
func exitCodeCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exit-code N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exit-code: %q is not a number", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		got = exitErr.ExitCode()
	case err != nil:
		ts.Fatalf("exit-code: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

func dockerAvailable() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return exec.CommandContext(ctx, "docker", "info").Run() == nil
}

// swarmManager reports whether the engine is a manager of an active swarm.
func swarmManager() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", "info", "--format", "{{.Swarm.ControlAvailable}}").Output()
	return err == nil && strings.TrimSpace(string(out)) == "true"
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
