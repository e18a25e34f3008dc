package stacktest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// stackPackage is what the reaper runs: the stack CLI.
const stackPackage = "github.com/stack-dev/stack/cmd/stack"

// reaperBinary returns a static stack binary for the reaper's image:
// $STACK_REAPER_BINARY if set (e.g. CI's bin/stack, built with
// CGO_ENABLED=0), else one built with `go build` into the user's cache,
// keyed by the content of every package it is built from, so an unchanged
// source costs one `go list` (a fraction of a second) and a changed one a
// build.
func reaperBinary(ctx context.Context) (string, error) {
	if bin := os.Getenv("STACK_REAPER_BINARY"); bin != "" {
		return bin, nil
	}
	key, err := sourceKey(ctx)
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "stack", "reaper", key[:16])
	bin := filepath.Join(dir, "stack")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("reaper binary: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "stack-*.tmp")
	if err != nil {
		return "", fmt.Errorf("reaper binary: %w", err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", tmp.Name(), stackPackage)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the reaper's stack binary: %v\n%s\nhint: set STACK_REAPER_BINARY to a static stack binary", err, out)
	}
	// Renamed into place, so a process building it at the same time never
	// runs a half-written file.
	if err := os.Rename(tmp.Name(), bin); err != nil {
		return "", fmt.Errorf("reaper binary: %w", err)
	}
	return bin, nil
}

// sourceKey hashes what the stack binary is built from: the toolchain, the
// version of each dependency taken from the module cache (whose content a
// version fixes), and the files of the others (the main module, replaced
// modules).
func sourceKey(ctx context.Context) (string, error) {
	format := `{{.ImportPath}}|{{.Standard}}|{{with .Module}}{{.Path}}@{{.Version}}{{end}}|{{with .Module}}{{if .Replace}}replaced{{end}}{{end}}|{{.Dir}}|{{join .GoFiles ","}}|{{join .EmbedFiles ","}}`
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-f", format, stackPackage)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list %s: %v\n%s\nhint: add the reaper's source to your module with `go get -tool %s`, or set STACK_REAPER_BINARY to a static stack binary", stackPackage, err, stderr.String(), stackPackage)
	}
	version, err := exec.CommandContext(ctx, "go", "env", "GOVERSION", "GOOS", "GOARCH").Output()
	if err != nil {
		return "", fmt.Errorf("go env: %w", err)
	}
	h := sha256.New()
	h.Write(version)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 7 {
			return "", fmt.Errorf("go list: unexpected line %q", line)
		}
		fmt.Fprintln(h, f[0], f[2])
		if f[1] == "true" || (strings.Contains(f[2], "@v") && f[3] == "") {
			continue // the standard library (in GOVERSION) or a module version
		}
		for _, list := range f[5:7] {
			if list == "" {
				continue
			}
			for _, name := range strings.Split(list, ",") {
				if err := hashFile(h, filepath.Join(f[4], name)); err != nil {
					return "", err
				}
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashFile(h io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reaper binary source: %w", err)
	}
	defer f.Close()
	fmt.Fprintln(h, path)
	_, err = io.Copy(h, f)
	return err
}
