package spec

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func init() {
	// Other test files of the package may register -update too.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func hclUpdateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// TestLoadHCLGolden loads each realistic stack under testdata/hcl and
// compares the model, as JSON with the fixture folder written $FIXTURE, to
// want.json next to it. Run with -update to rewrite the goldens.
func TestLoadHCLGolden(t *testing.T) {
	tests := []struct {
		fixture string
		opts    LoadOptions
	}{
		{"webstack", LoadOptions{}},
		{"webstack-tools", LoadOptions{Profiles: []string{"tools"}}},
		{"modelserver", LoadOptions{}},
		{"build", LoadOptions{}},
		{"hooks", LoadOptions{}},
		{"composed", LoadOptions{
			Environ:  []string{"HOME=/home/dev", "COMPOSED_DB_PASSWORD=from-env", "STACK_VAR_replicas=5"},
			Vars:     map[string]string{"db_password": "s3cret", "features": `["search", "checkout"]`},
			VarFiles: []string{"testdata/hcl/composed/ci.vars.hcl"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			dirName, _, _ := strings.Cut(tt.fixture, "-")
			dir, err := filepath.Abs(filepath.Join("testdata/hcl", dirName))
			if err != nil {
				t.Fatal(err)
			}
			opts := tt.opts
			opts.Files = []string{filepath.Join(dir, "stack.hcl")}
			if opts.Environ == nil {
				opts.Environ = []string{"HOME=/home/dev"}
			}
			p, err := Load(opts)
			if err != nil {
				t.Fatal(err)
			}
			data, err := json.MarshalIndent(p, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got := strings.ReplaceAll(string(data), dir, "$FIXTURE") + "\n"
			golden := filepath.Join("testdata/hcl", tt.fixture+".want.json")
			if hclUpdateGolden() {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("model differs from %s (-want +got; run with -update after checking):\n%s", golden, cmp.Diff(string(want), got))
			}
		})
	}
}
