package engine

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// tarNames lists the regular files the context's tar holds.
func tarNames(t *testing.T, bc *buildContext) []string {
	t.Helper()
	rc, err := bc.Tar()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var names []string
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			names = append(names, h.Name)
		}
	}
	slices.Sort(names)
	return names
}

func TestBuildContextHonoursDockerignore(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string
		dockerfile string
		want       []string
	}{
		{
			name:  "no ignore file",
			files: map[string]string{"Dockerfile": "FROM scratch", "main.go": "x"},
			want:  []string{"Dockerfile", "main.go"},
		},
		{
			name: "patterns, folders and exceptions",
			files: map[string]string{
				"Dockerfile": "FROM scratch", ".dockerignore": "*.log\nnode_modules\n!keep.log\n",
				"a.log": "x", "keep.log": "x", "node_modules/x/y.js": "x", "src/main.go": "x",
			},
			want: []string{".dockerignore", "Dockerfile", "keep.log", "src/main.go"},
		},
		{
			name: "the Dockerfile and ignore file are always sent",
			files: map[string]string{
				"Dockerfile": "FROM scratch", ".dockerignore": "*\n!app\n", "app": "x", "other": "x",
			},
			want: []string{".dockerignore", "Dockerfile", "app"},
		},
		{
			name: "a Dockerfile's own ignore file wins",
			files: map[string]string{
				"build/app.Dockerfile": "FROM scratch", "build/app.Dockerfile.dockerignore": "secret\n",
				".dockerignore": "src\n", "secret": "x", "src/main.go": "x",
			},
			dockerfile: "build/app.Dockerfile",
			want:       []string{".dockerignore", "build/app.Dockerfile", "build/app.Dockerfile.dockerignore", "src/main.go"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tt.files)
			bc, err := openBuildContext(dir, tt.dockerfile)
			if err != nil {
				t.Fatal(err)
			}
			if got := tarNames(t, bc); !slices.Equal(got, tt.want) {
				t.Errorf("tar holds %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBuildContextDigest(t *testing.T) {
	base := map[string]string{
		"Dockerfile": "FROM scratch", ".dockerignore": "tmp\n*.log\n",
		"main.go": "package main", "tmp/cache": "1", "debug.log": "a",
	}
	tests := []struct {
		name   string
		change map[string]string
		same   bool
	}{
		{"nothing changed", nil, true},
		{"ignored file changed", map[string]string{"debug.log": "b"}, true},
		{"file in ignored folder added", map[string]string{"tmp/more": "2"}, true},
		{"source changed", map[string]string{"main.go": "package main // v2"}, false},
		{"file added", map[string]string{"util.go": "package main"}, false},
		{"Dockerfile changed", map[string]string{"Dockerfile": "FROM scratch\nCOPY . ."}, false},
		{"ignore file changed", map[string]string{".dockerignore": "tmp\n"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, base)
			before := digestOf(t, dir)
			writeTree(t, dir, tt.change)
			if same := digestOf(t, dir) == before; same != tt.same {
				t.Errorf("digest unchanged = %v, want %v", same, tt.same)
			}
		})
	}
}

func digestOf(t *testing.T, dir string) string {
	t.Helper()
	bc, err := openBuildContext(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	d, err := bc.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestOpenBuildContextErrors(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"ctx/Dockerfile": "FROM scratch", "outside.Dockerfile": "FROM scratch"})
	tests := []struct {
		name, dir, dockerfile, want string
	}{
		{"missing folder", filepath.Join(dir, "nope"), "", "no such file"},
		{"missing Dockerfile", filepath.Join(dir, "ctx"), "Other.Dockerfile", "no such file"},
		{"Dockerfile outside", filepath.Join(dir, "ctx"), "../outside.Dockerfile", "outside the build context"},
		{"remote context", "https://github.com/x/y.git", "", "remote build contexts are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := openBuildContext(tt.dir, tt.dockerfile)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
