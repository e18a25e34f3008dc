package lint

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/stack-dev/stack/spec"
)

// sourceCache reads stack files once, to look at how a value was written:
// the model only has the value after interpolation.
type sourceCache struct {
	lines map[string][]string // nil entry: unreadable
}

func newSourceCache() *sourceCache {
	return &sourceCache{lines: map[string][]string{}}
}

// textAt returns the rest of the line from pos.
func (sc *sourceCache) textAt(pos spec.Pos) (string, bool) {
	lines, ok := sc.lines[pos.File]
	if !ok {
		if data, err := os.ReadFile(pos.File); err == nil {
			lines = strings.Split(string(data), "\n")
		}
		sc.lines[pos.File] = lines
	}
	if pos.Line < 1 || pos.Line > len(lines) {
		return "", false
	}
	line := []rune(strings.TrimRight(lines[pos.Line-1], "\r"))
	col := max(pos.Column-1, 0)
	if col > len(line) {
		return "", false
	}
	return string(line[col:]), true
}

// literal reports whether the environment entry whose key (or compose list
// item) starts at pos has its value written literally in the file, rather
// than interpolated from the environment or a variable. When the file cannot
// be read it assumes literal: better a finding too many than a leak missed.
func (sc *sourceCache) literal(pos spec.Pos, listItem bool) bool {
	text, ok := sc.textAt(pos)
	if !ok {
		return true
	}
	if isHCLFile(pos.File) {
		return hclLiteral(text)
	}
	if listItem {
		_, value, ok := cutEnvItem(text)
		// "- KEY" alone takes the value from the environment.
		return ok && !interpolated(value)
	}
	return yamlMapLiteral(text)
}

// isHCLFile mirrors spec's test: *.hcl, and stack.hcl.example and the like.
func isHCLFile(file string) bool {
	name := strings.ToLower(filepath.Base(file))
	return strings.HasSuffix(name, ".hcl") || strings.Contains(name, ".hcl.")
}

// hclLiteral reads `KEY = value` (or `"KEY": value`) and reports whether
// value is a quoted string without ${} interpolation, or a heredoc.
func hclLiteral(text string) bool {
	rest := skipKey(text, "=:")
	rest = strings.TrimSpace(rest)
	rest = strings.TrimLeft(rest, "=:")
	rest = strings.TrimSpace(rest)
	switch {
	case strings.HasPrefix(rest, `"`):
		body, _ := quoted(rest)
		return !strings.Contains(strings.ReplaceAll(body, "$${", ""), "${")
	case strings.HasPrefix(rest, "<<"):
		return true // the body is on the next lines; assume literal
	}
	return false // a reference or function call: env("X"), var.x
}

// yamlMapLiteral reads `KEY: value` and reports whether value is written
// literally. An empty value takes it from the environment.
func yamlMapLiteral(text string) bool {
	rest := strings.TrimSpace(skipKey(text, ":"))
	rest = strings.TrimSpace(strings.TrimPrefix(rest, ":"))
	var value string
	switch {
	case rest == "", rest == "~", rest == "null", strings.HasPrefix(rest, "#"):
		return false
	case strings.HasPrefix(rest, `"`), strings.HasPrefix(rest, "'"):
		value, _ = quoted(rest)
	case strings.HasPrefix(rest, "|"), strings.HasPrefix(rest, ">"):
		return true // a block scalar on the next lines; assume literal
	default:
		value, _, _ = strings.Cut(rest, " #")
	}
	return !interpolated(value)
}

// skipKey drops a key, quoted or bare, from the front of text; a bare key
// ends at one of the separators.
func skipKey(text, separators string) string {
	if strings.HasPrefix(text, `"`) || strings.HasPrefix(text, "'") {
		_, rest := quoted(text)
		return rest
	}
	if i := strings.IndexAny(text, separators); i >= 0 {
		return text[i:]
	}
	return ""
}

// quoted splits a string starting with a quote into its body (escapes kept
// as written) and what follows the closing quote.
func quoted(text string) (body, rest string) {
	q := text[0]
	for i := 1; i < len(text); i++ {
		switch {
		case text[i] == '\\' && q == '"':
			i++
		case text[i] == q:
			return text[1:i], text[i+1:]
		}
	}
	return text[1:], ""
}

// cutEnvItem splits a compose environment list item, KEY=value.
func cutEnvItem(text string) (key, value string, ok bool) {
	key, value, ok = strings.Cut(unquoteYAML(text), "=")
	return strings.TrimSpace(key), value, ok
}

// unquoteYAML strips the quotes of a scalar written as "..." or '...'.
func unquoteYAML(text string) string {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, `"`) || strings.HasPrefix(text, "'") {
		body, _ := quoted(text)
		return body
	}
	value, _, _ := strings.Cut(text, " #")
	return value
}

// interpolated reports whether a compose value uses $VAR or ${VAR}; $$ is
// an escaped dollar.
func interpolated(value string) bool {
	for i := 0; i < len(value)-1; i++ {
		if value[i] != '$' {
			continue
		}
		next := value[i+1]
		if next == '$' {
			i++
			continue
		}
		if next == '{' || next == '_' || next >= 'A' && next <= 'Z' || next >= 'a' && next <= 'z' {
			return true
		}
	}
	return false
}
