package spec

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/compose-spec/compose-go/v2/dotenv"
)

// env_file `format: raw` reads a file as `docker run --env-file` does,
// which is what Compose registers the format for: values are taken as
// they are (no interpolation, no escapes), except that one pair of
// matching quotes around a value is removed; `#` starts a comment only at
// the start of a line; a line with a key and no `=` takes the key's value
// from the environment, and is left out if it has none.
func init() {
	dotenv.RegisterFormat("raw", parseRawEnvFile)
}

func parseRawEnvFile(r io.Reader, filename string, vars map[string]string, lookup func(string) (string, bool)) error {
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		b := sc.Bytes()
		if !utf8.Valid(b) {
			return fmt.Errorf("failed to parse env_file %s: invalid UTF-8 at line %d", filename, n)
		}
		if n == 1 {
			b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		}
		line := strings.TrimLeftFunc(string(b), unicode.IsSpace)
		if line == "" || line[0] == '#' {
			continue
		}
		key, value, hasValue := strings.Cut(line, "=")
		switch {
		case key == "":
			return fmt.Errorf("failed to parse env_file %s: no variable name on line %d", filename, n)
		case strings.ContainsAny(key, " \t"):
			return fmt.Errorf("failed to parse env_file %s: variable %q on line %d contains whitespace", filename, key, n)
		}
		if !hasValue {
			if lookup == nil {
				continue
			}
			v, ok := lookup(key)
			if !ok {
				continue
			}
			value = v
		}
		vars[key] = unquoteRaw(value)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("failed to parse env_file %s: %w", filename, err)
	}
	return nil
}

// unquoteRaw removes one pair of matching single or double quotes.
func unquoteRaw(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}
