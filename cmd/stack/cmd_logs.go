package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/ui"
)

type logsOptions struct {
	Follow     bool
	Tail       string
	Timestamps bool
	NoPrefix   bool
	Since      time.Duration
	Index      int // 0: every replica
	Swarm      bool
}

func newLogsCmd(g *globalOptions) *cobra.Command {
	var opts logsOptions
	cmd := &cobra.Command{
		Use:   "logs [service...]",
		Short: "Show the output of the stack's containers",
		Long: `Show the output of the stack's containers, each line prefixed with
its container. With -f, keep following until Ctrl-C: containers that start
later (new replicas, recreated or restarted ones) are followed as they
start, from where they left off.

Of a stack deployed to a swarm (stack deploy), with --swarm or when the
project has no containers but the swarm has services of it: the output of
its tasks through the service logs API, prefixed with service and slot.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLogs(cmd.Context(), g, opts, args)
		},
	}
	f := cmd.Flags()
	// -f is --follow here, as in Docker Compose; the global -f/--file goes
	// before the command, and this --file (same option, no shorthand) keeps
	// the root's -f from being merged in on top of --follow's.
	f.StringArrayVar(&g.Files, "file", nil, "stack file; -f before the command")
	f.BoolVarP(&opts.Follow, "follow", "f", false, "keep following new output")
	f.StringVarP(&opts.Tail, "tail", "n", "all", "lines from the end of each container's log")
	f.BoolVar(&opts.Timestamps, "timestamps", false, "show timestamps")
	f.BoolVar(&opts.NoPrefix, "no-log-prefix", false, "do not prefix lines with the container")
	f.DurationVar(&opts.Since, "since", 0, "only output of the last duration, e.g. 10m")
	f.IntVar(&opts.Index, "index", 0, "only the output of this replica of each service")
	f.BoolVar(&opts.Swarm, "swarm", false, "the output of the tasks of the stack deployed to the swarm")
	return cmd
}

func runLogs(ctx context.Context, g *globalOptions, opts logsOptions, services []string) error {
	project, p, e, done, err := g.projectEngine()
	if err != nil {
		return err
	}
	defer done()
	ctx, _, stop := interrupts(ctx)
	defer stop()
	if n, err := strconv.Atoi(opts.Tail); opts.Tail != "all" && (err != nil || n < 0) {
		return fmt.Errorf("--tail %q: want a number of lines or all", opts.Tail)
	}
	sw, closeSwarm, err := g.swarmTarget(ctx, project, opts.Swarm, e)
	if err != nil {
		return err
	}
	if sw != nil {
		defer closeSwarm()
		err := runSwarmLogs(ctx, g.stdout, sw, project, opts, services)
		if ctx.Err() != nil {
			return nil // Ctrl-C ends a follow
		}
		return err
	}
	if err := g.checkServices(ctx, project, p, e, services); err != nil {
		return err
	}
	lo := engine.LogOptions{Follow: opts.Follow, Tail: opts.Tail, Timestamps: opts.Timestamps}
	if opts.Since > 0 {
		lo.Since = time.Now().Add(-opts.Since)
	}
	printer := ui.NewLogPrinter(g.stdout, opts.NoPrefix, 0)
	lopts := engine.LogsOptions{Services: services, LogOptions: lo}
	if opts.Follow {
		// Following goes on through restarts, recreation and scaling
		// until Ctrl-C.
		lopts.Rejoin = true
		lopts.Ended = func(container, _ string, code int) { printer.Message(exitedMessage(container, code)) }
	}
	sink := printer.Print
	if opts.Index > 0 && !opts.Follow {
		// A replica that is not there would print nothing and look fine.
		rows, err := e.Ps(ctx, project, engine.PsOptions{All: true, Services: services})
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(rows, func(r engine.ContainerSummary) bool { return r.Number == opts.Index }) {
			return fmt.Errorf("--index %d: no replica %d of %s", opts.Index, opts.Index, serviceWords(services))
		}
	}
	if opts.Index > 0 {
		sink = func(l engine.LogLine) {
			if l.Number == opts.Index {
				printer.Print(l)
			}
		}
	}
	err = e.Logs(ctx, project, lopts, sink)
	if ctx.Err() != nil {
		return nil // Ctrl-C ends a follow; that is not a failure
	}
	return err
}

// serviceWords names the services of a command for a message.
func serviceWords(services []string) string {
	if len(services) == 0 {
		return "any service"
	}
	return strings.Join(services, ", ")
}
