package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRemove(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "app")
	outside := filepath.Join(root, "outside")
	for _, d := range []string{filepath.Join(dir, "sub"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{filepath.Join(dir, "a.txt"), filepath.Join(dir, "sub", "b.txt"), filepath.Join(outside, "keep.txt")} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rel     string
		wantErr bool
		gone    string // a path that must be gone afterwards
	}{
		{"a.txt", false, filepath.Join(dir, "a.txt")},
		{"sub", false, filepath.Join(dir, "sub")},
		{"missing/x", false, ""},
		{"../outside/keep.txt", true, ""},
		{"/etc/passwd", true, ""},
		{"link/keep.txt", true, ""},
		{"", true, ""},
		{"link", false, filepath.Join(dir, "link")},
	}
	for _, tt := range tests {
		err := remove(dir, tt.rel)
		if (err != nil) != tt.wantErr {
			t.Errorf("remove(%q): error %v, want error %v", tt.rel, err, tt.wantErr)
		}
		if tt.gone != "" {
			if _, err := os.Lstat(tt.gone); !os.IsNotExist(err) {
				t.Errorf("remove(%q): %s still there", tt.rel, tt.gone)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(outside, "keep.txt")); err != nil {
		t.Errorf("a file outside the folder was removed: %v", err)
	}
}
