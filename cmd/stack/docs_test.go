package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/cli from the cobra tree")

// docsDir is where the generated reference lives: Markdown in docs/cli,
// man pages in docs/cli/man.
const docsDir = "../../docs/cli"

// TestDocsUpToDate regenerates the command reference from the cobra tree
// and fails when docs/cli differs; `go test ./cmd/stack -run
// TestDocsUpToDate -update-docs` (or `make docs`) rewrites it.
func TestDocsUpToDate(t *testing.T) {
	tmp := t.TempDir()
	if err := generateDocs(filepath.Join(tmp, "cli")); err != nil {
		t.Fatal(err)
	}
	if *updateDocs {
		if err := os.RemoveAll(docsDir); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(docsDir, os.DirFS(filepath.Join(tmp, "cli"))); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := readTree(t, filepath.Join(tmp, "cli"))
	got := readTree(t, docsDir)
	for name, content := range want {
		if have, ok := got[name]; !ok {
			t.Errorf("docs/cli/%s is missing", name)
		} else if !bytes.Equal(have, content) {
			t.Errorf("docs/cli/%s is out of date", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("docs/cli/%s is for no command", name)
		}
	}
	if t.Failed() {
		t.Log("regenerate with: go test ./cmd/stack -run TestDocsUpToDate -update-docs")
	}
}

// generateDocs writes the Markdown reference and the man pages of the
// cobra tree to dir, reproducibly (no dates, no machine paths).
func generateDocs(dir string) error {
	root := newRootCmd(&globalOptions{stdout: os.Stdout, stderr: os.Stderr})
	root.InitDefaultCompletionCmd()
	disableAutoGen(root)
	if err := os.MkdirAll(filepath.Join(dir, "man"), 0o755); err != nil {
		return err
	}
	if err := doc.GenMarkdownTree(root, dir); err != nil {
		return err
	}
	date := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return doc.GenManTree(root, &doc.GenManHeader{Title: "STACK", Section: "1", Source: "stack", Manual: "stack manual", Date: &date}, filepath.Join(dir, "man"))
}

func disableAutoGen(c *cobra.Command) {
	c.DisableAutoGenTag = true
	for _, sub := range c.Commands() {
		disableAutoGen(sub)
	}
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[rel] = b
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}
