package testenv

import (
	"os/exec"
	"testing"
)

// ModelStackBins builds the model-serving example's binaries and the Go
// image its gateway compiles in (make modelstack-bins), which the
// example's images copy, and returns the repository's root.
func ModelStackBins(t testing.TB) string {
	t.Helper()
	root := repoRoot()
	build := exec.Command("make", "-s", "modelstack-bins")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("make modelstack-bins: %v\n%s", err, out)
	}
	return root
}
