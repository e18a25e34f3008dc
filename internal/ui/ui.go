// Package ui renders what stack tells the user: progress of an operation
// (live rows on a terminal, plain lines otherwise, JSON lines for tools),
// tables, and prefixed container logs.
//
// Output rules: results (tables, JSON, config) go to stdout; progress,
// warnings and errors go to stderr. Color only on a terminal and never when
// NO_COLOR is set. Messages are lowercase, without a trailing period.
package ui

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// Progress modes, as given to --progress.
const (
	ModeAuto  = "auto"
	ModeTTY   = "tty"
	ModePlain = "plain"
	ModeJSON  = "json"
	ModeQuiet = "quiet"
)

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Width returns the terminal width of w, or 0 when unknown.
func Width(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}

// ColorEnabled reports whether to color output to w: only on a terminal,
// and never with NO_COLOR set (https://no-color.org); always with
// CLICOLOR_FORCE=1 (--ansi always).
func ColorEnabled(w io.Writer) bool {
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return false
	}
	if os.Getenv("CLICOLOR_FORCE") == "1" {
		return true
	}
	return IsTerminal(w)
}

// ResolveMode turns ModeAuto into ModeTTY or ModePlain for w and checks the
// mode is known.
func ResolveMode(mode string, w io.Writer) (string, error) {
	switch mode {
	case "", ModeAuto:
		if IsTerminal(w) {
			return ModeTTY, nil
		}
		return ModePlain, nil
	case ModeTTY, ModePlain, ModeJSON, ModeQuiet:
		return mode, nil
	}
	return "", fmt.Errorf("unknown progress mode %q (want auto, tty, plain, json or quiet)", mode)
}

// ANSI colors for service prefixes, cycled in order of first appearance.
var palette = []string{"36", "33", "32", "35", "34", "96", "93", "92", "95", "94"}

func colorize(on bool, code, s string) string {
	if !on || code == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}
