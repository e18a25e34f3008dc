package modelstack_test

import (
	"os"
	"strings"
	"testing"
)

// TestDocsExample keeps the example of docs/testing.md the test that runs.
func TestDocsExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/testing.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(doc), "<!-- begin example: examples/modelstack/stacktest_test.go -->\n```go\n")
	block, _, ok2 := strings.Cut(block, "```\n<!-- end example -->")
	if !ok || !ok2 {
		t.Fatal("docs/testing.md has no example block")
	}
	src, err := os.ReadFile("stacktest_test.go")
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(src), "func TestPredictionThroughGateway(")
	end := strings.Index(string(src)[start:], "\n}\n")
	if start < 0 || end < 0 {
		t.Fatal("stacktest_test.go has no TestPredictionThroughGateway")
	}
	if fn := string(src)[start : start+end+3]; fn != block {
		t.Errorf("docs/testing.md's example differs from the test in stacktest_test.go:\n%s\nwant:\n%s", block, fn)
	}
}
