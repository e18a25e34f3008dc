package kube_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stack-dev/stack/kube"
)

// TestWriteDirReplacesAnEarlierExport: files of an earlier export that the
// new one lacks go; the user's own files stay.
func TestWriteDirReplacesAnEarlierExport(t *testing.T) {
	dir := t.TempDir()
	full := export(t, exportCase{file: "testdata/fixtures/modelserving.hcl"})
	files, err := kube.Render(full, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := files.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "99-my-extra.yaml")
	if err := os.WriteFile(mine, []byte("kind: ConfigMap\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(filepath.Join(dir, files.Names[0])); err != nil || info.Mode().Perm() != 0o644 {
		t.Fatalf("%s: %v %v", files.Names[0], info, err)
	}
	less := export(t, exportCase{file: "testdata/fixtures/modelserving.hcl", opts: kube.Options{Services: []string{"fetch"}}})
	files2, err := kube.Render(less, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := files2.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := append(append([]string{}, files2.Names...), "99-my-extra.yaml")
	if len(names) != len(want) {
		t.Fatalf("folder has %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("folder has %v, want %v", names, want)
		}
	}
}
