package testenv

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// TestImageRef names the test image in the in-memory fake. The real one,
// which TestImage returns, is tagged with the hash of what it was built
// from ("stack-testimage:<hash>"): checkouts of different versions testing
// against one engine at once then never rebuild each other's image under a
// running test. See internal/testimage for what the image can do.
const TestImageRef = testImageRepo + ":dev"

const testImageRepo = "stack-testimage"

// labelImageHash on the test image is the hash of the binary and
// Dockerfile it was built from; equal means no rebuild.
const labelImageHash = "dev.stack.testimage-hash"

var (
	imageOnce sync.Once
	imageRef  string
	imageErr  error
)

// TestImage returns the reference of the test image, building it first if
// it is missing or stale: once per test process, and not at all when the
// image already carries the hash of the current binary and Dockerfile.
// Packages tested in parallel serialise on a lock file.
func TestImage(t testing.TB) string {
	t.Helper()
	RequireDocker(t)
	imageOnce.Do(func() { imageRef, imageErr = ensureTestImage() })
	if imageErr != nil {
		t.Fatalf("test image: %v", imageErr)
	}
	return imageRef
}

// BuildTestImage is TestImage for programs that are not tests, such as the
// benchmark: it builds the image if missing or stale (once per process) and
// returns its reference.
func BuildTestImage() (string, error) {
	imageOnce.Do(func() { imageRef, imageErr = ensureTestImage() })
	return imageRef, imageErr
}

func ensureTestImage() (string, error) {
	dir, err := os.MkdirTemp("", "stack-testimage-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)

	src := testimageDir()
	// -trimpath makes the binary, and so its hash, the same on every build.
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, "testimage"), ".")
	build.Dir = src
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build testimage: %v\n%s", err, out)
	}
	dockerfile, err := os.ReadFile(filepath.Join(src, "Dockerfile"))
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), dockerfile, 0o644); err != nil {
		return "", err
	}
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o755); err != nil {
		return "", err
	}
	binary, err := os.ReadFile(filepath.Join(dir, "testimage"))
	if err != nil {
		return "", err
	}
	sum := sha256.New()
	sum.Write(binary)
	sum.Write(dockerfile)
	hash := hex.EncodeToString(sum.Sum(nil))
	ref := testImageRepo + ":" + hash[:12]

	unlock, err := lockFile(filepath.Join(os.TempDir(), "stack-testimage.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if imageHash(ref) == hash {
		return ref, nil
	}
	// The classic builder: this machine's docker CLI has no buildx plugin.
	docker := exec.Command("docker", "build", "-q", "--label", labelImageHash+"="+hash, "-t", ref, dir)
	docker.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
	if out, err := docker.CombinedOutput(); err != nil {
		return "", fmt.Errorf("docker build %s: %v\n%s", ref, err, out)
	}
	return ref, nil
}

// imageHash returns the build hash label of the existing test image, or ""
// if there is none.
func imageHash(ref string) string {
	out, err := exec.Command("docker", "image", "inspect", "--format",
		`{{index .Config.Labels "`+labelImageHash+`"}}`, ref).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// testimageDir is internal/testimage in the source tree of this file.
func testimageDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testimage")
}
