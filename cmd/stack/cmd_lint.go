package main

import (
	"context"
	"fmt"
	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/mobydocker"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/lint"
)

// lintOptions are the flags of `stack lint`.
type lintOptions struct {
	Strict bool   // exit 1 when there is any finding
	Format string // text or json
}

func newLintCmd(g *globalOptions) *cobra.Command {
	var opts lintOptions
	var rules strings.Builder
	for _, r := range lint.Rules() {
		fmt.Fprintf(&rules, "  %-22s %s\n", r.ID, r.Summary)
	}
	cmd := &cobra.Command{
		Use:   "lint",
		Short: "Check the stack for security and hygiene problems, each with a fix",
		Long: `Check the stack for security and hygiene problems. Each finding names the
file, line and column of the offending setting, the rule, the service, and a
fix. Findings are warnings: the exit code is 0 unless --strict is given.

Rules:
` + rules.String(),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLint(cmd.Context(), g, opts, g.stdout)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.Strict, "strict", false, "exit 1 when there is any finding (for CI)")
	f.StringVar(&opts.Format, "format", "text", "output format: text or json")
	return cmd
}

func runLint(ctx context.Context, g *globalOptions, opts lintOptions, out io.Writer) error {
	if opts.Format != "text" && opts.Format != "json" {
		return fmt.Errorf("--format %q: want text or json", opts.Format)
	}
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	findings := lint.Check(ctx, p, lint.Options{ImageUser: g.imageUserLookup()})
	for i := range findings {
		if findings[i].File != "" {
			findings[i].File = relPath(findings[i].File)
		}
	}
	lint.Sort(findings)
	if opts.Format == "json" {
		err = lint.WriteJSON(out, findings)
	} else {
		err = lint.WriteText(out, findings)
		fmt.Fprintln(g.stderr, lintSummary(findings))
	}
	if err != nil {
		return fmt.Errorf("write findings: %w", err)
	}
	if opts.Strict && len(findings) > 0 {
		return exitError{code: 1}
	}
	return nil
}

// lintSummary is the closing line of the text output, on stderr.
func lintSummary(findings []lint.Finding) string {
	if len(findings) == 0 {
		return "no findings"
	}
	services := map[string]bool{}
	for _, f := range findings {
		services[f.Service] = true
	}
	return lintCount(len(findings), "finding") + " in " + lintCount(len(services), "service")
}

// lintCount is "1 finding", "2 findings".
func lintCount(n int, word string) string {
	if n != 1 {
		word += "s"
	}
	return fmt.Sprintf("%d %s", n, word)
}

// imageUserLookup asks the daemon for the default user of local images, so
// lint knows an image that sets USER does not run as root. Without a daemon
// it returns nil and lint says what it cannot know.
func (g *globalOptions) imageUserLookup() func(ctx context.Context, image string) (string, bool) {
	docker, err := mobydocker.New(g.log)
	if err != nil {
		return nil
	}
	return imageUserMemo(engine.New(docker, g.log, nil))
}
