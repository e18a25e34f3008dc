package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

type rmOptions struct {
	Force   bool
	Stop    bool
	Volumes bool
	Timeout *time.Duration
}

func newRmCmd(g *globalOptions) *cobra.Command {
	var opts rmOptions
	cmd := &cobra.Command{
		Use:   "rm [service...]",
		Short: "Remove the stack's stopped containers",
		Long: `Remove the stack's stopped service containers, after asking (unless -f).
With -s running ones are stopped first. Networks and volumes stay: that is
down. Anonymous volumes always go with their container, with or without -v.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRm(cmd.Context(), g, opts, args, os.Stdin)
		},
	}
	f := cmd.Flags()
	// -f is --force here, as in Docker Compose; see logs' --follow.
	f.StringArrayVar(&g.Files, "file", nil, "stack file; -f before the command")
	f.BoolVarP(&opts.Force, "force", "f", false, "do not ask before removing")
	f.BoolVarP(&opts.Stop, "stop", "s", false, "stop running containers first")
	f.BoolVarP(&opts.Volumes, "volumes", "v", false, "remove anonymous volumes (they always are)")
	addStopTimeoutFlag(f, &opts.Timeout, "stop timeout with -s")
	return cmd
}

func runRm(ctx context.Context, g *globalOptions, opts rmOptions, services []string, stdin io.Reader) error {
	project, e, done, err := g.serviceEngine(ctx, services)
	if err != nil {
		return err
	}
	defer done()
	rm := engine.RemoveOptions{Services: services, Stop: opts.Stop, Timeout: opts.Timeout}
	names, err := e.Removable(ctx, project, rm)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		fmt.Fprintln(g.stderr, "no stopped containers")
		return nil
	}
	if !opts.Force {
		fmt.Fprintf(g.stderr, "going to remove %s\nare you sure? [y/N] ", strings.Join(names, ", "))
		answer, _ := bufio.NewReader(stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			fmt.Fprintln(g.stderr)
			return nil
		}
	}
	return e.Remove(ctx, project, rm)
}
