package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stack-dev/stack/internal/oci"
	"github.com/stack-dev/stack/internal/testenv"
)

// publish pushes the compose files as they are (an HCL stack as the
// compose file it renders to) to the local docker-registry, and they come
// back from it as a Compose project artifact.
func TestPublish(t *testing.T) {
	addr := testenv.StartRegistry(t)
	dir := t.TempDir()
	compose := "services:\n  web:\n    image: x:1\n"
	hcl := "service \"api\" {\n  image = \"y:2\"\n}\n"
	os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644)
	os.WriteFile(filepath.Join(dir, "stack.hcl"), []byte(hcl), 0o644)

	tests := []struct {
		file, tag, name, want string
	}{
		{"compose.yaml", "c1", "compose.yaml", compose},
		{"stack.hcl", "h1", "compose.yaml", "api:"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var out bytes.Buffer
			g := &globalOptions{Files: []string{filepath.Join(dir, tt.file)}, stdout: &out, stderr: &out}
			ref := addr + "/stack-test/app:" + tt.tag
			if err := runPublish(context.Background(), g, publishOptions{}, ref); err != nil {
				t.Fatalf("publish: %v", err)
			}
			if !strings.HasPrefix(out.String(), ref+"@sha256:") {
				t.Errorf("printed %q, want the reference and its digest", out.String())
			}
			files, err := oci.Fetch(context.Background(), oci.NewHTTP(addr, false), "stack-test/app", tt.tag)
			if err != nil || len(files) != 1 || files[0].Name != tt.name || !strings.Contains(string(files[0].Content), tt.want) {
				t.Fatalf("fetched %+v, %v; want %s with %q", files, err, tt.name, tt.want)
			}
		})
	}

	// --dry-run pushes nothing.
	var out bytes.Buffer
	g := &globalOptions{Files: []string{filepath.Join(dir, "compose.yaml")}, stdout: &out, stderr: &out}
	g.DryRun = true
	if err := runPublish(context.Background(), g, publishOptions{}, addr+"/stack-test/app:dry"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "dry-run: would push compose.yaml") {
		t.Errorf("dry run said %q", out.String())
	}
	if _, err := oci.Fetch(context.Background(), oci.NewHTTP(addr, false), "stack-test/app", "dry"); err == nil {
		t.Error("the dry run pushed a manifest")
	}
	if err := runPublish(context.Background(), g, publishOptions{}, "app:1"); err == nil {
		t.Error("a reference without a registry: no error")
	}
}
