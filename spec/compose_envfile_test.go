package spec

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEnvFileRawFormat(t *testing.T) {
	tests := []struct {
		name, file string
		want       map[string]string
		wantErr    string
	}{
		{
			name: "values as they are",
			file: "\xef\xbb\xbfPLAIN=a b \n  INDENTED=x\n# comment\n\nDOLLAR=$HOME ${X} \\n\nHASH=a # not a comment\nEMPTY=\n",
			want: map[string]string{"PLAIN": "a b ", "INDENTED": "x", "DOLLAR": "$HOME ${X} \\n", "HASH": "a # not a comment", "EMPTY": ""},
		},
		{
			name: "one pair of matching quotes goes",
			file: "D=\"quoted\"\nS='single'\nM=\"mixed'\nI=in\"side\"\n",
			want: map[string]string{"D": "quoted", "S": "single", "M": "\"mixed'", "I": "in\"side\""},
		},
		{
			name: "a bare key takes the environment's value",
			file: "FROM_ENV\nNOT_SET\n",
			want: map[string]string{"FROM_ENV": "env value"},
		},
		{name: "whitespace in a key", file: "A B=1\n", wantErr: `variable "A B" on line 1 contains whitespace`},
		{name: "no key", file: "=1\n", wantErr: "no variable name on line 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTestFile(t, filepath.Join(dir, "app.env"), tc.file)
			file := filepath.Join(dir, "compose.yaml")
			writeTestFile(t, file, "services:\n  app:\n    image: x\n    env_file:\n      - path: app.env\n        format: raw\n")
			p, err := Load(LoadOptions{Files: []string{file}, Environ: []string{"FROM_ENV=env value"}})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, p.Services["app"].Environment); diff != "" {
				t.Errorf("environment (-want +got):\n%s", diff)
			}
		})
	}
}

// A missing env_file is an error only for a service the command needs:
// the named services and their dependencies (all when none is named).
func TestMissingEnvFileOfUnselectedService(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "a.env"), "FROM_FILE=a\n")
	file := filepath.Join(dir, "compose.yaml")
	writeTestFile(t, file, `services:
  a:
    image: x
    env_file: a.env
  b:
    image: x
    env_file: missing.env
    environment:
      KEPT: "yes"
  c:
    image: x
    depends_on: [b]
`)
	tests := []struct {
		services []string
		wantErr  bool
	}{
		{services: nil, wantErr: true},
		{services: []string{"a"}},
		{services: []string{"b"}, wantErr: true},
		{services: []string{"c"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.services, ","), func(t *testing.T) {
			p, err := Load(LoadOptions{Files: []string{file}, Environ: []string{}, Services: tc.services})
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), "missing.env") {
					t.Fatalf("error = %v, want one naming missing.env", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Services["a"].Environment["FROM_FILE"]; got != "a" {
				t.Errorf("a's env_file not read: %v", p.Services["a"].Environment)
			}
			if got := p.Services["b"].Environment["KEPT"]; got != "yes" {
				t.Errorf("b lost its own environment: %v", p.Services["b"].Environment)
			}
		})
	}
}
