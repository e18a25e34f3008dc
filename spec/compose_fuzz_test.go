package spec

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadCompose feeds arbitrary bytes as a compose file: loading may
// fail, it must not panic, and a loaded project must render.
func FuzzLoadCompose(f *testing.F) {
	addSeedFiles(f, "testdata/compose/*/compose.yaml", "testdata/invalid/compose-*.yaml")
	// A mutated file can name "-" or /dev/stdin (include, env_file); reading
	// an empty stdin keeps the worker from blocking.
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		f.Fatal(err)
	}
	defer devNull.Close()
	os.Stdin = devNull
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		file := filepath.Join(dir, "compose.yaml")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := Load(LoadOptions{Files: []string{file}, Environ: []string{}, ProjectName: "fuzz"})
		if err != nil {
			return
		}
		for _, format := range []string{"yaml", "json"} {
			if _, err := MarshalCompose(p, format); err != nil {
				t.Errorf("MarshalCompose %s: %v", format, err)
			}
		}
		if _, err := MarshalHCL(p); err != nil {
			t.Errorf("MarshalHCL: %v", err)
		}
		if _, err := p.Levels(); err == nil {
			if _, err := RenderGraph(p, "text"); err != nil {
				t.Errorf("RenderGraph: %v", err)
			}
		}
	})
}
