package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const configTestCompose = `name: cfgtest
services:
  web:
    image: web:1
    depends_on:
      db:
        condition: service_healthy
    deploy:
      resources:
        reservations:
          generic_resources:
            - discrete_resource_spec: {kind: gpu, value: 1}
  db:
    image: db:1
    healthcheck:
      test: ["CMD", "true"]
`

func writeCompose(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(file, []byte(configTestCompose), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestConfigGraphConvertCommands(t *testing.T) {
	file := writeCompose(t)
	tests := []struct {
		name    string
		run     func(g *globalOptions, out *bytes.Buffer) error
		want    []string // substrings of stdout
		wantErr string
	}{
		{"config yaml", func(g *globalOptions, out *bytes.Buffer) error {
			return runConfig(context.Background(), g, configOptions{Format: "yaml"}, out)
		}, []string{"name: cfgtest", "condition: service_healthy"}, ""},
		{"config json", func(g *globalOptions, out *bytes.Buffer) error {
			return runConfig(context.Background(), g, configOptions{Format: "json"}, out)
		}, []string{`"name": "cfgtest"`}, ""},
		{"config hcl", func(g *globalOptions, out *bytes.Buffer) error {
			return runConfig(context.Background(), g, configOptions{Format: "hcl"}, out)
		}, []string{`name = "cfgtest"`, `depends_on "db" {`}, ""},
		{"config services", func(g *globalOptions, out *bytes.Buffer) error {
			return runConfig(context.Background(), g, configOptions{Format: "yaml", Services: true}, out)
		}, []string{"db\nweb\n"}, ""},
		{"config bad format", func(g *globalOptions, out *bytes.Buffer) error {
			return runConfig(context.Background(), g, configOptions{Format: "toml"}, out)
		}, nil, `--format "toml"`},
		{"graph mermaid", func(g *globalOptions, out *bytes.Buffer) error {
			return runGraph(context.Background(), g, graphOptions{Format: "mermaid"}, out)
		}, []string{"graph LR", "|service_healthy|"}, ""},
		{"graph text", func(g *globalOptions, out *bytes.Buffer) error {
			return runGraph(context.Background(), g, graphOptions{Format: "text"}, out)
		}, []string{"level 1\n  web\n    -> db (service_healthy)"}, ""},
		{"convert stdout", func(g *globalOptions, out *bytes.Buffer) error {
			return runConvert(context.Background(), &globalOptions{stdout: g.stdout, stderr: g.stderr}, convertOptions{File: file}, out)
		}, []string{`service "web" {`, `image = "db:1"`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			g := &globalOptions{Files: []string{file}, stdout: &out, stderr: &errOut}
			err := tt.run(g, &out)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if !strings.Contains(errOut.String(), "services.web.deploy.resources.reservations.generic_resources") {
				t.Errorf("stderr lacks the warning about the swarm-only key: %q", errOut.String())
			}
		})
	}
}

func TestConvertWritesFile(t *testing.T) {
	file := writeCompose(t)
	outFile := filepath.Join(t.TempDir(), "stack.hcl")
	var stdout, stderr bytes.Buffer
	g := &globalOptions{stdout: &stdout, stderr: &stderr}
	if err := runConvert(context.Background(), g, convertOptions{File: file, Output: outFile}, &stdout); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `service "db" {`) || stdout.Len() != 0 {
		t.Errorf("file:\n%s\nstdout: %q", b, stdout.String())
	}
}
