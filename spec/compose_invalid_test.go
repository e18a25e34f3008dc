package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestComposeInvalid loads every testdata/invalid/compose-*.yaml; each file
// ends with a "# want: <message>" line, the error expected with the folder
// stripped from paths.
func TestComposeInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/compose-*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 14 {
		t.Fatalf("found %d invalid compose files, want at least 14", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			want := wantLine(t, file)
			abs, err := filepath.Abs(file)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Load(LoadOptions{Files: []string{abs}, Environ: []string{}})
			var specErr *Error
			if !errors.As(err, &specErr) {
				t.Fatalf("Load error = %v (%T), want *spec.Error", err, err)
			}
			got := strings.ReplaceAll(err.Error(), filepath.Dir(abs)+"/", "")
			if got != want {
				t.Errorf("error:\n got: %s\nwant: %s", got, want)
			}
			if specErr.Diags[0].KeyPath == "" && !strings.Contains(want, "yaml:") && !strings.Contains(want, "no such file") && !strings.Contains(want, "not a compose file") {
				t.Errorf("diagnostic has no key path: %+v", specErr.Diags[0])
			}
		})
	}
}

func wantLine(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if want, ok := strings.CutPrefix(line, "# want: "); ok {
			return want
		}
	}
	t.Fatalf("%s has no # want: line", file)
	return ""
}
