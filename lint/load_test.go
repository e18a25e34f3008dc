package lint

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stack-dev/stack/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// loadFixture lints a stack file with the interpolated variables set, so
// a finding on them would mean the literal check failed.
func loadFixture(t *testing.T, file string) []Finding {
	t.Helper()
	p, err := spec.Load(spec.LoadOptions{
		Files:   []string{file},
		Environ: []string{"DB_PASSWORD=from-env", "CACHE_PASSWORD=from-env", "SMTP_SECRET=from-env"},
	})
	if err != nil {
		t.Fatalf("load %s: %v", file, err)
	}
	return Check(context.Background(), p, Options{})
}

// TestLoadedPositions pins each finding of the fixtures to the line and
// column of the offending key, for both loaders.
func TestLoadedPositions(t *testing.T) {
	tests := []struct {
		file string
		want []string // "line:col rule service key"
	}{
		{
			file: "testdata/compose/compose.yaml",
			want: []string{
				"9:7 secret-in-env api environment.API_TOKEN",
				"11:7 secret-in-env api environment.SESSION_SECRET",
				"15:9 port-all-interfaces api ports[1]",
				"18:5 unpinned-image worker image",
				"19:5 root-user worker user",
				"20:5 privileged worker privileged",
				"22:9 secret-in-env worker environment.AWS_ACCESS_KEY",
				"27:9 dangerous-capability worker cap_add[1]",
				"29:9 unconfined worker security_opt[0]",
				"32:5 unpinned-image agent image",
				"33:5 root-user agent user",
				"35:9 docker-socket agent volumes[0]",
				"39:9 port-all-interfaces agent ports[0]",
				"44:5 host-namespace exporter network_mode",
				"45:5 host-namespace exporter pid",
				"47:9 host-device exporter devices[0]",
				"48:5 docker-socket exporter use_api_socket",
			},
		},
		{
			file: "testdata/hcl/stack.hcl",
			want: []string{
				"13:5 secret-in-env api environment.API_TOKEN",
				"19:35 port-all-interfaces api ports[1]",
				"23:3 unpinned-image worker image",
				"24:3 root-user worker user",
				"25:3 privileged worker privileged",
				// The HCL loader records the list, not its elements.
				"26:3 dangerous-capability worker cap_add[1]",
				"27:3 unconfined worker security_opt[0]",
				"31:3 unpinned-image agent image",
				"32:3 root-user agent user",
				"34:5 docker-socket agent volumes[0]",
				"39:5 port-all-interfaces agent ports[0]",
			},
		},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			abs, err := filepath.Abs(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range loadFixture(t, tt.file) {
				if f.File != abs {
					t.Errorf("%s %s: file %q, want %q", f.Rule, f.Key, f.File, abs)
				}
				got = append(got, fmt.Sprintf("%d:%d %s %s %s", f.Line, f.Column, f.Rule, f.Service, f.Key))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings:\n%s\nwant:\n%s", lines(got), lines(tt.want))
			}
		})
	}
}

// TestOutputGolden checks both output formats on the fixtures, with paths
// relative to testdata. Run with -update to rewrite the golden files.
func TestOutputGolden(t *testing.T) {
	for _, file := range []string{"testdata/compose/compose.yaml", "testdata/hcl/stack.hcl"} {
		findings := loadFixture(t, file)
		for i := range findings {
			abs, _ := filepath.Abs("testdata")
			rel, err := filepath.Rel(abs, findings[i].File)
			if err != nil {
				t.Fatal(err)
			}
			findings[i].File = rel
		}
		for _, format := range []string{"txt", "json"} {
			var b bytes.Buffer
			write := WriteText
			if format == "json" {
				write = WriteJSON
			}
			if err := write(&b, findings); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join(filepath.Dir(file), "lint.golden."+format)
			if *update {
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./lint -update)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s output differs from %s:\n%s", format, golden, b.String())
			}
		}
	}
}

func TestWriteJSONEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, nil); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "[]\n" {
		t.Fatalf("no findings = %q, want []", got)
	}
}

func lines(ss []string) string {
	var b bytes.Buffer
	for _, s := range ss {
		b.WriteString("  " + s + "\n")
	}
	return b.String()
}
