package spec

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func init() {
	// Other test files of the package may register -update too.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// fixtureEnviron is the environment every compose fixture loads with, so
// goldens do not depend on the machine.
var fixtureEnviron = []string{"API_KEY=not-printed"}

// loadFixture loads testdata/compose/<name> with its default files.
func loadFixture(t *testing.T, name string) *Project {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata/compose", name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Load(LoadOptions{WorkingDir: dir, Environ: fixtureEnviron})
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return p
}

func composeFixtures(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob("testdata/compose/*")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range dirs {
		names = append(names, filepath.Base(d))
	}
	if len(names) == 0 {
		t.Fatal("no compose fixtures")
	}
	return names
}

// TestRenderGolden renders every compose fixture as compose yaml/json, HCL
// and the three graph formats and compares with testdata/golden/<name>.*.
// Run with -update to rewrite them.
func TestRenderGolden(t *testing.T) {
	renders := []struct {
		ext    string
		render func(p *Project) (string, error)
	}{
		{"yaml", func(p *Project) (string, error) { b, err := MarshalCompose(p, "yaml"); return string(b), err }},
		{"json", func(p *Project) (string, error) { b, err := MarshalCompose(p, "json"); return string(b), err }},
		{"hcl", func(p *Project) (string, error) { b, err := MarshalHCL(p); return string(b), err }},
		{"graph.txt", func(p *Project) (string, error) { return RenderGraph(p, "text") }},
		{"dot", func(p *Project) (string, error) { return RenderGraph(p, "dot") }},
		{"mmd", func(p *Project) (string, error) { return RenderGraph(p, "mermaid") }},
	}
	for _, name := range composeFixtures(t) {
		p := loadFixture(t, name)
		for _, r := range renders {
			t.Run(name+"."+r.ext, func(t *testing.T) {
				got, err := r.render(p)
				if err != nil {
					t.Fatal(err)
				}
				// Absolute paths differ between checkouts.
				got = strings.ReplaceAll(got, p.WorkingDir, "/fixture")
				checkGolden(t, filepath.Join("testdata/golden", name+"."+r.ext), got)
			})
		}
	}
}

func checkGolden(t *testing.T, file, got string) {
	t.Helper()
	if updateGolden() {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update to accept):\n--- got\n%s\n--- want\n%s", file, got, want)
	}
}

func TestMarshalNeverPrintsSecretContent(t *testing.T) {
	p := loadFixture(t, "secrets")
	p.Secrets["inline"] = &Secret{Key: "inline", Name: "secrets_inline", Content: "hunter2-value"}
	for _, format := range []string{"yaml", "json"} {
		b, err := MarshalCompose(p, format)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "hunter2-value") || strings.Contains(string(b), "not-printed") {
			t.Errorf("%s output contains a secret value:\n%s", format, b)
		}
	}
	b, err := MarshalHCL(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "hunter2-value") {
		t.Errorf("hcl output contains a secret value:\n%s", b)
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	p := loadFixture(t, "webapp")
	if _, err := MarshalCompose(p, "toml"); err == nil {
		t.Error("MarshalCompose(toml) succeeded")
	}
	if _, err := RenderGraph(p, "png"); err == nil {
		t.Error("RenderGraph(png) succeeded")
	}
}
