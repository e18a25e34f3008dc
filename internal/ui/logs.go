package ui

import (
	"fmt"
	"io"
	"sync"

	"github.com/stack-dev/stack/engine"
)

// LogPrinter prints container log lines with a colored "service-n | "
// prefix, aligned, as Compose does. Safe for concurrent use.
type LogPrinter struct {
	w        io.Writer
	color    bool
	noPrefix bool

	mu     sync.Mutex
	colors map[string]string
	width  int
}

// NewLogPrinter returns a printer to w. width is the prefix width to align
// to (the longest container label); 0 grows as needed.
func NewLogPrinter(w io.Writer, noPrefix bool, width int) *LogPrinter {
	return &LogPrinter{w: w, color: ColorEnabled(w), noPrefix: noPrefix, colors: map[string]string{}, width: width}
}

// Print writes one line.
func (lp *LogPrinter) Print(l engine.LogLine) {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	if lp.noPrefix {
		fmt.Fprintln(lp.w, l.Text)
		return
	}
	label := fmt.Sprintf("%s-%d", l.Service, l.Number)
	if len(label) > lp.width {
		lp.width = len(label)
	}
	code, ok := lp.colors[l.Service]
	if !ok {
		code = palette[len(lp.colors)%len(palette)]
		lp.colors[l.Service] = code
	}
	fmt.Fprintf(lp.w, "%s %s\n", colorize(lp.color, code, fmt.Sprintf("%-*s |", lp.width, label)), l.Text)
}

// Message prints a line that is not from a container (e.g. "api-1 exited
// with code 0") in the log stream.
func (lp *LogPrinter) Message(text string) {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	fmt.Fprintln(lp.w, colorize(lp.color, "1", text))
}
