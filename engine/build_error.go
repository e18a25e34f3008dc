package engine

import (
	"fmt"
	"strings"
)

// BuildError is a failed image build. Docker implementations return it with
// the failing step and its last output lines; the engine fills in Service.
type BuildError struct {
	Service string   // the service(s) the image is for, "web" or "web, worker"
	Step    string   // the failing instruction, "" when the builder did not say
	Output  []string // the last lines the failing step printed
	Err     error    // the builder's own message
}

func (e *BuildError) Error() string {
	var b strings.Builder
	b.WriteString("build")
	if e.Service != "" {
		b.WriteString(" service " + e.Service)
	}
	if e.Step != "" {
		fmt.Fprintf(&b, ": step %s failed", e.Step)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	if len(e.Output) > 0 {
		b.WriteString("\nlast output:")
		for _, line := range e.Output {
			b.WriteString("\n  " + line)
		}
	}
	return b.String()
}

func (e *BuildError) Unwrap() error { return e.Err }
