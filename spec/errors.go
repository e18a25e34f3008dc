package spec

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Diagnostic is one problem found in a stack file.
type Diagnostic struct {
	Warning bool
	// Pos is where the problem is; KeyPath names the key for compose files
	// ("services.api.ports[1]").
	Pos     Pos
	KeyPath string
	Summary string
	Detail  string
}

func (d Diagnostic) String() string {
	var b strings.Builder
	if d.Pos.File != "" {
		b.WriteString(d.Pos.String())
		b.WriteString(": ")
	}
	if d.KeyPath != "" {
		b.WriteString(d.KeyPath)
		b.WriteString(": ")
	}
	b.WriteString(d.Summary)
	if d.Detail != "" {
		b.WriteString(": ")
		b.WriteString(d.Detail)
	}
	return b.String()
}

// Error is an invalid stack: one or more diagnostics. The CLI prints it with
// Write and exits with code 2.
type Error struct {
	Diags []Diagnostic
	// HCL holds the original HCL diagnostics and the parsed files, so they
	// can be printed with source snippets.
	HCL      hcl.Diagnostics
	HCLFiles map[string]*hcl.File
}

func (e *Error) Error() string {
	var lines []string
	if len(e.HCL) > 0 {
		for _, d := range e.HCL.Errs() {
			lines = append(lines, d.Error())
		}
	}
	for _, d := range e.Diags {
		if !d.Warning {
			lines = append(lines, d.String())
		}
	}
	return strings.Join(lines, "\n")
}

// Write prints the error for a person: HCL diagnostics with a source snippet
// (color when color is set, wrapped at width when > 0), other diagnostics one
// per line.
func (e *Error) Write(w io.Writer, color bool, width uint) error {
	if len(e.HCL) > 0 {
		// One grep-able file:line:col line per problem, then hcl's own
		// rendering with the source snippet.
		dw := hcl.NewDiagnosticTextWriter(w, e.HCLFiles, width, color)
		for _, d := range inFileOrder(e.HCL) {
			if d.Subject != nil {
				r := d.Subject
				if _, err := fmt.Fprintf(w, "%s:%d:%d: %s\n", r.Filename, r.Start.Line, r.Start.Column, d.Summary); err != nil {
					return err
				}
			}
			if err := dw.WriteDiagnostic(d); err != nil {
				return err
			}
		}
	}
	for _, d := range e.Diags {
		prefix := "error: "
		if d.Warning {
			prefix = "warning: "
		}
		if _, err := fmt.Fprintln(w, prefix+d.String()); err != nil {
			return err
		}
	}
	return nil
}

// errorf builds an *Error with one diagnostic at pos.
func errorf(pos Pos, format string, args ...any) *Error {
	return &Error{Diags: []Diagnostic{{Pos: pos, Summary: fmt.Sprintf(format, args...)}}}
}

// inFileOrder sorts diagnostics by where they are, so a person reads them
// top to bottom; the loader finds them in evaluation order.
func inFileOrder(diags hcl.Diagnostics) hcl.Diagnostics {
	sorted := slices.Clone(diags)
	slices.SortStableFunc(sorted, func(a, b *hcl.Diagnostic) int {
		switch { // those without a place last
		case a.Subject == nil && b.Subject == nil:
			return 0
		case a.Subject == nil:
			return 1
		case b.Subject == nil:
			return -1
		}
		return cmp.Or(
			cmp.Compare(a.Subject.Filename, b.Subject.Filename),
			cmp.Compare(a.Subject.Start.Line, b.Subject.Start.Line),
			cmp.Compare(a.Subject.Start.Column, b.Subject.Start.Column),
		)
	})
	return sorted
}
