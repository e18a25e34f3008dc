package spec

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLoadersFillTheSameDefaults loads one stack written in HCL and in
// compose and expects the same `config --format json`.
func TestLoadersFillTheSameDefaults(t *testing.T) {
	const hclSrc = `
name = "demo"
secret "token" { file = "./token.txt" }
secret "key" { file = "./token.txt" }
config "app" { file = "./token.txt" }
service "api" {
  image       = "api"
  pull_policy = "if_not_present"
  build { context = "./api" }
  secrets = [secret.token]
  configs = [config.app]
  secret "key" { target = "relative" }
}
`
	const composeSrc = `
name: demo
secrets:
  token: {file: ./token.txt}
  key: {file: ./token.txt}
configs:
  app: {file: ./token.txt}
services:
  api:
    image: api
    pull_policy: if_not_present
    build: ./api
    secrets:
      - token
      - source: key
        target: relative
    configs: [app]
`
	dir := t.TempDir()
	files := map[string]string{"stack.hcl": hclSrc, "compose.yaml": composeSrc, "token.txt": "x\n", "api/Dockerfile": "FROM scratch\n"}
	writeTestFiles(t, dir, files)
	fromHCL := configJSON(t, LoadOptions{Files: []string{filepath.Join(dir, "stack.hcl")}, Environ: []string{}})
	fromCompose := configJSON(t, LoadOptions{Files: []string{filepath.Join(dir, "compose.yaml")}, Environ: []string{}})
	if diff := cmp.Diff(fromCompose, fromHCL); diff != "" {
		t.Errorf("config --format json differs (-compose +hcl):\n%s", diff)
	}
}

// TestExampleStacksLoadTheSame checks the README's claim that the example
// stack in HCL and in compose load to the same model.
func TestExampleStacksLoadTheSame(t *testing.T) {
	fromHCL := configJSON(t, LoadOptions{Files: []string{"../stack.hcl.example"}, Environ: []string{}})
	fromCompose := configJSON(t, LoadOptions{Files: []string{"../examples/modelstack/compose.yaml"}, Environ: []string{}})
	if diff := cmp.Diff(fromCompose, fromHCL); diff != "" {
		t.Errorf("config --format json differs (-compose +hcl):\n%s", diff)
	}
}

func configJSON(t *testing.T, opts LoadOptions) string {
	t.Helper()
	p, err := Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := MarshalCompose(p, "json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
