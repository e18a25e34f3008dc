package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/stack-dev/stack/internal/testenv"
)

// TestSwarmScripts runs the CLI stories of a stack deployed to a swarm,
// testdata/swarm/*.txtar, on the engine made a single-node swarm by
// testenv.Swarm (STACK_TEST_SWARM=1, as make test runs them). $PROJECT is
// the project name (the stack files name none), and the stack is
// undeployed afterwards, pass or fail.
func TestSwarmScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a swarm")
	}
	project := testenv.Project(t)
	testenv.Swarm(t, project)
	image := testImage(t)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/swarm",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PROJECT", project)
			env.Setenv("COMPOSE_PROJECT_NAME", project)
			env.Setenv("TESTIMAGE", image)
			env.Setenv("NO_COLOR", "1")
			for _, v := range []string{"DOCKER_HOST", "PATH", "CI"} {
				env.Setenv(v, os.Getenv(v))
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exit-code": exitCodeCmd,
		},
	})
}
