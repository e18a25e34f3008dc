package spec

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadHCL feeds arbitrary stack files to the loader: it must return a
// project or an *Error, never panic. Seeds are in
// testdata/fuzz/FuzzLoadHCL plus the realistic fixtures.
func FuzzLoadHCL(f *testing.F) {
	addSeedFiles(f, "testdata/hcl/*/stack.hcl", "testdata/invalid/*.hcl")
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		file := filepath.Join(dir, "stack.hcl")
		if err := os.WriteFile(file, src, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := Load(LoadOptions{Files: []string{file}, Environ: []string{"HOME=" + dir}})
		if err != nil {
			var specErr *Error
			if !errors.As(err, &specErr) {
				t.Fatalf("error %v is a %T, want *spec.Error", err, err)
			}
			_ = specErr.Error()
			return
		}
		if p == nil {
			t.Fatal("nil project and nil error")
		}
	})
}

// addSeedFiles adds every file matching the patterns to f's seed corpus.
func addSeedFiles(f *testing.F, patterns ...string) {
	f.Helper()
	for _, pattern := range patterns {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
}
