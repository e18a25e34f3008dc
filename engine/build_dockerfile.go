package engine

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/go-archive"
)

// contextStage is an additional build context, given to the Dockerfile as
// a stage of that name: FROM name, COPY --from=name and
// RUN --mount=from=name then read it as with buildx's named contexts.
type contextStage struct {
	Name  string
	Image string // the image the stage starts from
}

// openInlineContext is the build context of a dockerfile_inline build: the
// folder and its .dockerignore, with no Dockerfile in it.
func openInlineContext(dir string) (*buildContext, error) {
	dir, err := contextDir(dir)
	if err != nil {
		return nil, err
	}
	bc := &buildContext{Dir: dir}
	if err := bc.readIgnoreFile(filepath.Join(dir, ".dockerignore")); err != nil {
		return nil, err
	}
	return bc, nil
}

// generatedDockerfile returns the Dockerfile stack sends in place of the
// context's, or nil when the context's own goes unchanged: the inline one,
// and either with the additional contexts' stages put before its first
// FROM (after global ARGs and parser directives, which must stay first).
func generatedDockerfile(bc *buildContext, inline string, stages []contextStage) ([]byte, error) {
	if inline == "" && len(stages) == 0 {
		return nil, nil
	}
	src := []byte(inline)
	if inline == "" {
		var err error
		src, err = os.ReadFile(filepath.Join(bc.Dir, filepath.FromSlash(bc.Dockerfile)))
		if err != nil {
			return nil, fmt.Errorf("read dockerfile: %w", err)
		}
	}
	if len(stages) == 0 {
		return src, nil
	}
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("parse dockerfile: %w", err)
	}
	firstFrom := -1
	for _, n := range res.AST.Children {
		if strings.EqualFold(n.Value, "from") {
			firstFrom = n.StartLine
			break
		}
	}
	if firstFrom < 1 {
		return nil, fmt.Errorf("dockerfile has no FROM instruction")
	}
	lines := strings.SplitAfter(string(src), "\n")
	var b strings.Builder
	for i, line := range lines {
		if i == firstFrom-1 {
			for _, st := range stages {
				fmt.Fprintf(&b, "FROM %s AS %s\n", st.Image, st.Name)
			}
		}
		b.WriteString(line)
	}
	return []byte(b.String()), nil
}

// generatedDockerfileName is where a generated Dockerfile goes in the
// context tar: named for its content, and left out of the context itself
// through the .dockerignore, as `docker build -f -` does.
func generatedDockerfileName(content []byte) string {
	sum := sha256.Sum256(content)
	return ".dockerfile." + hex.EncodeToString(sum[:])[:20]
}

// withDockerfile adds a generated Dockerfile to a context tar, and its name
// (and that of the .dockerignore, when there was none) to the .dockerignore.
func withDockerfile(tarStream io.ReadCloser, name string, content []byte) io.ReadCloser {
	now := time.Unix(0, 0)
	return archive.ReplaceFileTarWrapper(tarStream, map[string]archive.TarModifierFunc{
		name: func(_ string, _ *tar.Header, _ io.Reader) (*tar.Header, []byte, error) {
			return &tar.Header{Name: name, Mode: 0o600, ModTime: now, Typeflag: tar.TypeReg, Size: int64(len(content))}, content, nil
		},
		".dockerignore": func(_ string, h *tar.Header, old io.Reader) (*tar.Header, []byte, error) {
			var b bytes.Buffer
			if h == nil {
				h = &tar.Header{Name: ".dockerignore", Mode: 0o600, ModTime: now, Typeflag: tar.TypeReg}
				b.WriteString(".dockerignore\n")
			} else if old != nil {
				if _, err := io.Copy(&b, old); err != nil {
					return nil, nil, err
				}
				b.WriteString("\n")
			}
			b.WriteString(name + "\n")
			h.Size = int64(b.Len())
			return h, b.Bytes(), nil
		},
	})
}
