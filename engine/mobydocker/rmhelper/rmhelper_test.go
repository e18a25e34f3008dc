package rmhelper

import (
	"errors"
	"os"
	"os/exec"
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

// TestHelperByName starts this test binary as the helper: the package's init
// removes the paths and exits before the tests would run.
func TestHelperByName(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.txt", "b.txt"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		env      string
		args     []string
		wantCode int
		gone     bool // a.txt is gone afterwards
	}{
		{"no env: not the helper, the tests run", "", []string{"-test.run=^$", dir, "a.txt"}, 0, false},
		{"removes", Env + "=1", []string{dir, "a.txt"}, 0, true},
		{"skips a path out of the folder", Env + "=1", []string{dir, "../x", "b.txt"}, 1, true},
		{"usage", Env + "=1", nil, 2, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(self)
			cmd.Args = append([]string{"/" + Name}, tt.args...)
			cmd.Env = append(os.Environ(), tt.env)
			out, err := cmd.CombinedOutput()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d; output:\n%s", code, tt.wantCode, out)
			}
			if _, err := os.Lstat(filepath.Join(dir, "a.txt")); os.IsNotExist(err) != tt.gone {
				t.Errorf("a.txt gone: %v, want %v", os.IsNotExist(err), tt.gone)
			}
		})
	}
	if _, err := os.Lstat(filepath.Join(dir, "b.txt")); !os.IsNotExist(err) {
		t.Error("b.txt is still there")
	}
}
