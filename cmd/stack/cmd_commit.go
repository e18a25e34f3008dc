package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

type commitOptions struct {
	Index   int
	Author  string
	Message string
	Changes []string
	NoPause bool
}

func newCommitCmd(g *globalOptions) *cobra.Command {
	var opts commitOptions
	cmd := &cobra.Command{
		Use:   "commit SERVICE [REPOSITORY[:TAG]]",
		Short: "Create a new image from a service container's changes",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref := ""
			if len(args) == 2 {
				ref = args[1]
			}
			return runCommit(cmd.Context(), g, opts, args[0], ref)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Index, "index", 0, "replica of the service (default 1)")
	f.StringVarP(&opts.Author, "author", "a", "", `author (e.g. "Jane Doe <jane@example.com>")`)
	f.StringVarP(&opts.Message, "message", "m", "", "commit message")
	f.StringArrayVarP(&opts.Changes, "change", "c", nil, "apply a Dockerfile instruction to the image (repeatable)")
	f.BoolVarP(&opts.NoPause, "no-pause", "P", false, "do not pause the container while committing")
	return cmd
}

// runCommit prints the new image's ID, as docker commit does.
func runCommit(ctx context.Context, g *globalOptions, opts commitOptions, service, ref string) error {
	project, e, done, err := g.serviceEngine(ctx, []string{service})
	if err != nil {
		return err
	}
	defer done()
	id, err := e.Commit(ctx, project, service, opts.Index, engine.CommitOptions{
		Reference: ref, Author: opts.Author, Comment: opts.Message, Changes: opts.Changes, NoPause: opts.NoPause,
	})
	if err != nil {
		return err
	}
	done()
	fmt.Fprintln(g.stdout, id)
	return nil
}
