package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestComposeIndexServicePositions(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "compose.yaml")
	override := filepath.Join(dir, "compose.override.yaml")
	writeTestFile(t, base, `services:
  web:
    image: web:1
    ports:
      - "80:80"
  web.app:
    image: app:1
  db:
    image: db:1
`)
	writeTestFile(t, override, `services:
  web:
    environment:
      MODE: dev
`)
	idx := indexComposeFiles([]string{base, override})
	at := func(file string, line, col int) Pos { return Pos{File: file, Line: line, Column: col} }
	tests := []struct {
		service string
		want    map[string]Pos
	}{
		// The override sets web again: it wins for the service's own key.
		{"web", map[string]Pos{
			"":                 at(override, 2, 3),
			"image":            at(base, 3, 5),
			"ports":            at(base, 4, 5),
			"ports[0]":         at(base, 5, 9),
			"environment":      at(override, 3, 5),
			"environment.MODE": at(override, 4, 7),
		}},
		// A dotted name is one service, and web does not get its keys.
		{"web.app", map[string]Pos{"": at(base, 6, 3), "image": at(base, 7, 5)}},
		{"db", map[string]Pos{"": at(base, 8, 3), "image": at(base, 9, 5)}},
		// A service the files do not name (from an include) has the fallback.
		{"metrics", map[string]Pos{"": {File: "fallback.yaml"}}},
	}
	for _, tt := range tests {
		t.Run(tt.service, func(t *testing.T) {
			eq(t, "positions", idx.servicePositions(tt.service, "fallback.yaml"), tt.want)
		})
	}
}

// BenchmarkComposeIndexServicePositions looks up every service of a large
// file, as a compose load does.
func BenchmarkComposeIndexServicePositions(b *testing.B) {
	const services = 2000
	var src strings.Builder
	src.WriteString("services:\n")
	for i := range services {
		fmt.Fprintf(&src, "  s%d:\n    image: img:%d\n    environment: {A: \"%d\"}\n    ports: [\"%d:80\"]\n", i, i, i, 10000+i)
	}
	file := filepath.Join(b.TempDir(), "compose.yaml")
	if err := os.WriteFile(file, []byte(src.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	idx := indexComposeFiles([]string{file})
	for b.Loop() {
		for i := range services {
			idx.servicePositions(fmt.Sprintf("s%d", i), file)
		}
	}
}

func writeTestFile(t *testing.T, file, content string) {
	t.Helper()
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
