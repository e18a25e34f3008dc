package spec

import (
	"path/filepath"
	"strings"
	"testing"
)

// What compose-go logs while loading becomes the project's warnings, at
// the file, instead of logrus lines on stderr.
func TestComposeLoggedWarnings(t *testing.T) {
	dir := t.TempDir()
	writeTestFiles(t, dir, map[string]string{"compose.yaml": "version: \"3.8\"\nservices:\n  a:\n    image: x\n    environment:\n      FOO: ${STACK_TEST_UNSET}\n"})
	file := filepath.Join(dir, "compose.yaml")
	p, err := Load(LoadOptions{Files: []string{file}, Environ: []string{}, ProjectName: "w"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`"STACK_TEST_UNSET" variable is not set`, "`version` is obsolete"}
	for _, w := range want {
		found := false
		for _, d := range p.Warnings {
			if strings.Contains(d.Summary, w) && d.Pos.File == file && d.Warning {
				found = true
			}
		}
		if !found {
			t.Errorf("no warning %q at %s in %+v", w, file, p.Warnings)
		}
	}
}
