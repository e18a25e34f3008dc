package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
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
		Condition: func(cond string) (bool, error) {
			if cond == "docker" {
				return docker, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

func dockerAvailable() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return exec.CommandContext(ctx, "docker", "info").Run() == nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
