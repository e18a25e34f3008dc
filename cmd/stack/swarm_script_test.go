package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/stack-dev/stack/internal/testenv"
)

// TestSwarmScripts runs the CLI stories of a stack deployed to a swarm,
// testdata/swarm/*.txtar, on the engine made a single-node swarm by
// testenv.Swarm (STACK_TEST_SWARM=1, as make test runs them). $PROJECT is
// the script's own project name (the stack files name none), $REGISTRY a
// registry on 127.0.0.1, and each stack is undeployed afterwards, pass or
// fail.
func TestSwarmScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a swarm")
	}
	scripts, err := filepath.Glob("testdata/swarm/*.txtar")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts in testdata/swarm: %v", err)
	}
	base := testenv.Project(t)
	projectOf := func(script string) string {
		return base + "-" + strings.TrimSuffix(filepath.Base(script), ".txtar")
	}
	var projects []string
	for _, s := range scripts {
		projects = append(projects, projectOf(s))
	}
	testenv.Swarm(t, projects...)
	image := testImage(t)
	registry := testenv.StartRegistry(t)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/swarm",
		Setup: func(env *testscript.Env) error {
			// testscript works in $WORK/script-<name>.
			project := projectOf(strings.TrimPrefix(filepath.Base(env.WorkDir), "script-"))
			env.Setenv("PROJECT", project)
			env.Setenv("COMPOSE_PROJECT_NAME", project)
			env.Setenv("TESTIMAGE", image)
			env.Setenv("REGISTRY", registry)
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
