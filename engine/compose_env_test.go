package engine_test

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/spec"
)

// TestUnsetEnvironmentLikeCompose: `environment: [VAR]` with VAR unset
// leaves VAR unset in the container even though the image sets it. Both
// Compose v2 and docker-compose 1.29 send "VAR" without a value, which
// the daemon takes as "remove VAR"; the container's Config.Env of stack
// and of docker-compose 1.29 (on this machine) must be the same.
func TestUnsetEnvironmentLikeCompose(t *testing.T) {
	realOnly(t, func(t *testing.T, e *env) {
		if _, err := exec.LookPath("docker-compose"); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("docker-compose not installed, and CI=true (.ci/run installs it)")
			}
			t.Skip("docker-compose 1.29 not installed")
		}
		image := "stack-envtest-" + e.project + ":dev"
		buildEnvImage(t, e, image)

		dir := t.TempDir()
		file := filepath.Join(dir, "docker-compose.yml")
		compose := `version: "3.8"
services:
  app:
    image: ` + image + `
    command: ["sleep", "60s"]
    environment:
      - VAR
      - SET=x
    labels:
      ` + testenv.LabelTest + `: "1"
`
		if err := os.WriteFile(file, []byte(compose), 0o644); err != nil {
			t.Fatal(err)
		}
		environ := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "VAR=") })

		v1 := e.project + "v1"
		testenv.Cleanup(t, v1)
		cmd := exec.Command("docker-compose", "-p", v1, "-f", file, "up", "-d")
		cmd.Env = environ
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("docker-compose up: %v\n%s", err, out)
		}

		p, err := spec.Load(spec.LoadOptions{Files: []string{file}, Environ: environ, ProjectName: e.project})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Services["app"].UnsetEnv; !slices.Equal(got, []string{"VAR"}) {
			t.Errorf("UnsetEnv = %v, want [VAR]", got)
		}
		e.up(p, engine.UpOptions{})

		want := containerEnv(t, v1+"_app_1")
		got := containerEnv(t, e.project+"-app-1")
		if !slices.Equal(got, want) {
			t.Errorf("Config.Env: stack %v, docker-compose 1.29 %v", got, want)
		}
		if slices.Contains(got, "VAR=fromimage") || !slices.Contains(got, "SET=x") || !slices.Contains(got, "KEEP=image") {
			t.Errorf("Config.Env %v: want VAR unset, SET=x, and the image's KEEP", got)
		}
	})
}

// buildEnvImage builds an image from the test image that sets VAR and
// KEEP, removed when the test ends.
func buildEnvImage(t *testing.T, e *env, ref string) {
	t.Helper()
	var ctx bytes.Buffer
	tw := tar.NewWriter(&ctx)
	dockerfile := "FROM " + e.image + "\nENV VAR=fromimage KEEP=image\n"
	if err := tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(dockerfile))}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write([]byte(dockerfile)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.docker.ImageBuild(e.ctx(), &ctx, engine.BuildSpec{
		Tags: []string{ref}, Dockerfile: "Dockerfile", Labels: map[string]string{testenv.LabelTest: "1"},
	}, nil); err != nil {
		t.Fatalf("build %s: %v", ref, err)
	}
	t.Cleanup(func() {
		// Cleanups run last-registered first: the containers using the
		// image go before it.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, project := range []string{e.project, e.project + "v1"} {
			if err := testenv.RemoveProject(ctx, e.docker, project); err != nil {
				t.Errorf("cleanup of %s: %v", project, err)
			}
		}
		if err := e.docker.ImageRemove(ctx, ref); err != nil {
			t.Errorf("remove %s: %v", ref, err)
		}
	})
}

// containerEnv is `docker inspect`'s Config.Env of a container, sorted.
func containerEnv(t *testing.T, name string) []string {
	t.Helper()
	out, err := exec.Command("docker", "inspect", "--format", "{{json .Config.Env}}", name).Output()
	if err != nil {
		t.Fatalf("docker inspect %s: %v", name, err)
	}
	var env []string
	if err := json.Unmarshal(out, &env); err != nil {
		t.Fatalf("docker inspect %s: %v: %s", name, err, out)
	}
	slices.Sort(env)
	return env
}
