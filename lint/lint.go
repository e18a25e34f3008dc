// Package lint checks a loaded stack for security and hygiene problems that
// a stack file can fix: containers running as root, privileged containers,
// the Docker socket mounted, unpinned images, secrets written in the file,
// ports published on every interface, dangerous capabilities and disabled
// confinement. Each finding points at the key that causes it and says how to
// fix it.
//
// The checks are static: they read the model and, for secrets, the stack
// file's text (to tell a literal from an interpolation). The one thing a
// static check cannot know, the image's default user, can be supplied
// through Options.ImageUser.
package lint

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/stack-dev/stack/spec"
)

// SeverityWarning is the severity of every finding today: lint findings
// never stop a stack, `stack lint --strict` makes them fail CI.
const SeverityWarning = "warning"

// Finding is one problem in one service.
type Finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	// Pos is where the offending key was written; the service itself when
	// the loader did not record the key, empty for projects built in code.
	spec.Pos
	Service string `json:"service"`
	// Key is the key path within the service ("ports[0]", "environment.TOKEN").
	Key     string `json:"key"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

// String is the finding's first line: "file:line:col: [rule] service: message".
func (f Finding) String() string {
	var b strings.Builder
	if pos := f.Pos.String(); pos != "" {
		b.WriteString(pos)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "[%s] %s: %s", f.Rule, f.Service, f.Message)
	return b.String()
}

// Options tune Check.
type Options struct {
	// ImageUser, when set, returns the default user of an image (its
	// Config.User, "" for root) and whether the image is known locally.
	// Without it, a service with no user gets a "may be root" finding.
	ImageUser func(ctx context.Context, image string) (user string, known bool)
}

// Check runs every rule on every enabled service of p and returns the
// findings sorted by file, line and column.
func Check(ctx context.Context, p *spec.Project, opts Options) []Finding {
	c := &checker{ctx: ctx, project: p, opts: opts, source: newSourceCache()}
	var out []Finding
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		if s.Provider != nil {
			continue // no container: its provider binary runs it
		}
		for _, rule := range rules {
			out = append(out, rule.check(c, s)...)
		}
	}
	Sort(out)
	return out
}

// Sort orders findings by file, line, column, then service and rule, so the
// output reads top to bottom like the file.
func Sort(findings []Finding) {
	slices.SortStableFunc(findings, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Service, b.Service),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Key, b.Key),
		)
	})
}

// WriteText prints findings for a person, each with its fix indented below.
func WriteText(w io.Writer, findings []Finding) error {
	for _, f := range findings {
		if _, err := fmt.Fprintf(w, "%s\n    fix: %s\n", f, f.Fix); err != nil {
			return err
		}
	}
	return nil
}

// WriteJSON prints findings as a JSON array ([] when there are none).
func WriteJSON(w io.Writer, findings []Finding) error {
	if findings == nil {
		findings = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // keep "->" in port messages readable
	return enc.Encode(findings)
}

// checker carries what rules share during one Check.
type checker struct {
	ctx     context.Context
	project *spec.Project
	opts    Options
	source  *sourceCache
}

// finding builds a finding about key, placed at the first of at (most
// specific first; default key) the loader recorded, or at the service itself.
func (c *checker) finding(s *spec.Service, rule, key, message, fix string, at ...string) Finding {
	if len(at) == 0 {
		at = []string{key}
	}
	return Finding{
		Rule: rule, Severity: SeverityWarning, Pos: positionOf(s, at),
		Service: s.Name, Key: key, Message: message, Fix: fix,
	}
}

func positionOf(s *spec.Service, keys []string) spec.Pos {
	for _, k := range keys {
		if p, ok := s.Positions[k]; ok && p.File != "" {
			return p
		}
	}
	return s.Pos("")
}
