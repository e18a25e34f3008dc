package spec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// TestLoadHCLInvalid loads every testdata/invalid/*.hcl. Each has a .want
// file next to it: every non-empty line must appear in the error, formatted
// one problem a line as "file:line:col: summary: detail" with the folder
// stripped. -update writes the .want files from the current errors.
func TestLoadHCLInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.hcl")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 28 {
		t.Fatalf("found %d invalid HCL files, want at least 28", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			abs, err := filepath.Abs(file)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Load(LoadOptions{Files: []string{abs}, Environ: []string{"HOME=/home/dev"}})
			var specErr *Error
			if !errors.As(err, &specErr) {
				t.Fatalf("Load error = %v (%T), want *spec.Error", err, err)
			}
			got := strings.ReplaceAll(formatProblems(specErr), filepath.Dir(abs)+"/", "")
			wantFile := strings.TrimSuffix(file, ".hcl") + ".want"
			if hclUpdateGolden() {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			data, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				if !strings.Contains(got, want) {
					t.Errorf("error does not contain\n  %s\ngot:\n%s", want, got)
				}
			}
		})
	}
}

// formatProblems writes each HCL diagnostic and each model diagnostic of an
// error on one line, with file:line:col positions.
func formatProblems(e *Error) string {
	var lines []string
	for _, d := range e.HCL {
		lines = append(lines, formatHCLDiag(d))
	}
	for _, d := range e.Diags {
		lines = append(lines, d.String())
	}
	return strings.Join(lines, "\n") + "\n"
}

func formatHCLDiag(d *hcl.Diagnostic) string {
	pos := ""
	if d.Subject != nil {
		pos = fmt.Sprintf("%s:%d:%d: ", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
	}
	return pos + d.Summary + ": " + d.Detail
}
