package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/moby/go-archive"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// buildContext is a service's build context on disk: the folder, the
// Dockerfile inside it and the .dockerignore patterns that apply.
type buildContext struct {
	Dir        string   // absolute folder
	Dockerfile string   // slash path relative to Dir
	Excludes   []string // .dockerignore patterns, plus exceptions for the build files
}

// openBuildContext resolves a build's folder and Dockerfile and reads the
// ignore file: "<Dockerfile>.dockerignore" next to the Dockerfile wins over
// "<context>/.dockerignore", as with BuildKit.
func openBuildContext(dir, dockerfile string) (*buildContext, error) {
	dir, err := contextDir(dir)
	if err != nil {
		return nil, err
	}
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	abs := dockerfile
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(dir, dockerfile)
	}
	rel, err := filepath.Rel(dir, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("dockerfile %s is outside the build context %s, which is not supported", abs, dir)
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("dockerfile: %w", err)
	}
	bc := &buildContext{Dir: dir, Dockerfile: filepath.ToSlash(rel)}

	ignorePath := filepath.Join(dir, ".dockerignore")
	if _, err := os.Stat(abs + ".dockerignore"); err == nil {
		ignorePath = abs + ".dockerignore"
	}
	if err := bc.readIgnoreFile(ignorePath); err != nil {
		return nil, err
	}
	return bc, nil
}

// contextDir checks a build context folder and makes it absolute.
func contextDir(dir string) (string, error) {
	if strings.Contains(dir, "://") || strings.HasPrefix(dir, "git@") {
		return "", fmt.Errorf("build context %s: remote build contexts are not supported", dir)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("build context %s: %w", dir, err)
	}
	if fi, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("build context: %w", err)
	} else if !fi.IsDir() {
		return "", fmt.Errorf("build context %s: not a folder", dir)
	}
	return dir, nil
}

// readIgnoreFile reads the ignore patterns, when the file is there.
func (bc *buildContext) readIgnoreFile(ignorePath string) error {
	f, err := os.Open(ignorePath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("read %s: %w", ignorePath, err)
	default:
		bc.Excludes, err = ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("read %s: %w", ignorePath, err)
		}
	}
	// The builder needs the Dockerfile and reads the ignore file itself, so
	// both are always sent, as the docker CLI does.
	if len(bc.Excludes) > 0 && bc.Dockerfile != "" {
		bc.Excludes = append(bc.Excludes, "!"+bc.Dockerfile, "!"+bc.Dockerfile+".dockerignore")
	}
	if len(bc.Excludes) > 0 {
		bc.Excludes = append(bc.Excludes, "!.dockerignore")
	}
	return nil
}

// Tar streams the context as the tar the daemon builds from, without the
// ignored files.
func (bc *buildContext) Tar() (io.ReadCloser, error) {
	rc, err := archive.TarWithOptions(bc.Dir, &archive.TarOptions{ExcludePatterns: bc.Excludes})
	if err != nil {
		return nil, fmt.Errorf("tar build context %s: %w", bc.Dir, err)
	}
	return rc, nil
}

// Digest hashes what the build would see: the path, kind, mode and content
// of every file the .dockerignore lets through, in walk order.
func (bc *buildContext) Digest() (string, error) {
	pm, err := patternmatcher.New(bc.Excludes)
	if err != nil {
		return "", fmt.Errorf("dockerignore of %s: %w", bc.Dir, err)
	}
	h := sha256.New()
	parents := map[string]patternmatcher.MatchInfo{}
	err = filepath.WalkDir(bc.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(bc.Dir, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		excluded, info, err := pm.MatchesUsingParentResults(rel, parents[path.Dir(rel)])
		if err != nil {
			return err
		}
		if d.IsDir() {
			parents[rel] = info
		}
		if excluded {
			// A folder can only be skipped whole when no "!" pattern may
			// bring back something inside it.
			if d.IsDir() && !pm.Exclusions() {
				return filepath.SkipDir
			}
			return nil
		}
		return hashEntry(h, p, rel, d)
	})
	if err != nil {
		return "", fmt.Errorf("hash build context %s: %w", bc.Dir, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashEntry(h io.Writer, p, rel string, d fs.DirEntry) error {
	info, err := d.Info()
	if err != nil {
		return err
	}
	fmt.Fprintf(h, "%s\x00%s\x00", rel, info.Mode().String())
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00", target)
	case info.Mode().IsRegular():
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(h, "%d\x00", info.Size())
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
	}
	return nil
}
