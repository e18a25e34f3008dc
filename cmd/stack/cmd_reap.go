package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine/mobydocker"
	"github.com/stack-dev/stack/reaper"
)

type reapOptions struct {
	DryRun bool
	Serve  string // listen address: run as the reaper container
	Name   string // the reaper's container name, with --serve
}

func newReapCmd(g *globalOptions) *cobra.Command {
	var opts reapOptions
	cmd := &cobra.Command{
		Use:   "reap",
		Short: "Remove the test sessions whose owner is gone or whose time to live passed",
		Long: `Remove the containers, networks and volumes of every session (stacks of
stacktest and of up --ttl) that expired, or whose owner's reaper is not
running. The reaper container does this on its own; reap is one pass by
hand, e.g. as a CI job's last step or with STACK_REAPER=off.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReap(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.DryRun, "dry-run", false, "print what would be removed and remove nothing")
	f.StringVar(&opts.Serve, "serve", "", "run as the reaper: accept owners on this address")
	f.StringVar(&opts.Name, "name", "", "the reaper's container name (with --serve)")
	f.MarkHidden("serve")
	f.MarkHidden("name")
	return cmd
}

func runReap(ctx context.Context, g *globalOptions, opts reapOptions) error {
	// The global --dry-run (stack --dry-run reap) is reap's own.
	opts.DryRun = opts.DryRun || g.DryRun
	docker, err := mobydocker.New(g.log)
	if err != nil {
		return err
	}
	defer docker.Close()
	if opts.Serve != "" {
		if opts.Name == "" {
			return errors.New("--serve needs --name")
		}
		ln, err := net.Listen("tcp", opts.Serve)
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
		defer stop()
		s := &reaper.Server{Docker: docker, Name: opts.Name, Log: g.log}
		return s.Serve(ctx, ln)
	}
	decide, err := reaper.ByHand(ctx, docker)
	if err != nil {
		return err
	}
	reaped, err := reaper.Pass(ctx, docker, decide, opts.DryRun)
	if err != nil {
		return err
	}
	verb := "removed"
	if opts.DryRun {
		verb = "would remove"
	}
	var errs []error
	for _, r := range reaped {
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("session %s: %w", r.Session.ID, r.Err))
			continue
		}
		fmt.Fprintf(g.stdout, "%s session %s: %s (%s)\n", verb, r.Session.ID, r.Session, r.Reason)
	}
	return errors.Join(errs...)
}
