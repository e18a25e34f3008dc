package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// unknownCommand is the root's argument check: any argument is a verb
// cobra did not find, reported as cobra reports it, with its suggestions
// (typos within two edits, and prefixes).
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	suggestions := cmd.SuggestionsFor(args[0])
	if len(suggestions) == 0 {
		return fmt.Errorf("%s\nrun '%s --help' for the list of commands", msg, cmd.CommandPath())
	}
	quoted := make([]string, len(suggestions))
	for i, s := range suggestions {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return fmt.Errorf("%s\ndid you mean %s?", msg, strings.Join(quoted, " or "))
}
