package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// convertPathsCompose refers to files next to it with relative paths.
const convertPathsCompose = `name: paths
services:
  app:
    image: app:1
    build: ./ctx
    env_file: ./app.env
    volumes:
      - ./data:/data
      - type: bind
        source: ./conf
        target: /etc/app
    configs: [app]
    secrets:
      - source: token
        target: /run/secrets/api
configs:
  app:
    file: ./app.conf
secrets:
  token:
    file: ./token.txt
`

// TestConvertPathsRelativeToOutput converts files/compose.yaml from the
// folder above, saves the HCL as files/stack.hcl and expects it to load to
// the same model as the compose file: relative paths must not be written
// relative to the current folder.
func TestConvertPathsRelativeToOutput(t *testing.T) {
	tests := []struct {
		name   string
		output string // -o; "" saves stdout to files/stack.hcl
	}{
		{"stdout", ""},
		{"output file", "files/stack.hcl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeConvertFiles(t, root, map[string]string{
				"files/compose.yaml":   convertPathsCompose,
				"files/app.env":        "MODE=dev\n",
				"files/app.conf":       "debug = true\n",
				"files/token.txt":      "s3cret\n",
				"files/ctx/Dockerfile": "FROM scratch\n",
			})
			t.Chdir(root)
			var out, errOut bytes.Buffer
			g := &globalOptions{stdout: &out, stderr: &errOut}
			if err := runConvert(context.Background(), g, convertOptions{File: "files/compose.yaml", Output: tt.output}, &out); err != nil {
				t.Fatal(err)
			}
			if tt.output == "" {
				writeConvertFiles(t, root, map[string]string{"files/stack.hcl": out.String()})
			}
			want := convertConfigJSON(t, "files/compose.yaml")
			if got := convertConfigJSON(t, "files/stack.hcl"); got != want {
				hcl, _ := os.ReadFile("files/stack.hcl")
				t.Errorf("config of the HCL differs from the compose file's:\n--- hcl\n%s\n--- compose\n%s\n%s", got, want, hcl)
			}
		})
	}
}

func writeConvertFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// convertConfigJSON is what `stack -f file config --format json` prints.
func convertConfigJSON(t *testing.T, file string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	g := &globalOptions{Files: []string{file}, stdout: &out, stderr: &errOut}
	if err := runConfig(context.Background(), g, configOptions{Format: "json"}, &out); err != nil {
		t.Fatalf("config %s: %v", file, err)
	}
	return out.String()
}
