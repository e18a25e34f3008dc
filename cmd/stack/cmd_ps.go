package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

type psOptions struct {
	Format string
	All    bool
	Quiet  bool
}

func newPsCmd(g *globalOptions) *cobra.Command {
	var opts psOptions
	cmd := &cobra.Command{
		Use:   "ps [service...]",
		Short: "List the stack's containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPs(cmd.Context(), g, opts, args)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "table", "output format: table or json")
	cmd.Flags().BoolVarP(&opts.All, "all", "a", false, "include stopped containers")
	cmd.Flags().BoolVarP(&opts.Quiet, "quiet", "q", false, "print container IDs only")
	return cmd
}

func runPs(ctx context.Context, g *globalOptions, opts psOptions, services []string) error {
	if opts.Format != "table" && opts.Format != "json" {
		return fmt.Errorf("--format %q: want table or json", opts.Format)
	}
	project, e, done, err := g.serviceEngine(ctx, services)
	if err != nil {
		return err
	}
	defer done()
	rows, err := e.Ps(ctx, project, engine.PsOptions{All: opts.All, Services: services})
	if err != nil {
		return err
	}
	switch {
	case opts.Quiet:
		for _, r := range rows {
			fmt.Fprintln(g.stdout, r.ID)
		}
		return nil
	case opts.Format == "json":
		if rows == nil {
			rows = []engine.ContainerSummary{}
		}
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	return writePsTable(g.stdout, rows, time.Now())
}

func writePsTable(w io.Writer, rows []engine.ContainerSummary, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSERVICE\tREPLICA\tSTATE\tHEALTH\tUPTIME\tPORTS")
	for _, r := range rows {
		health := r.Health
		if health == "" {
			health = "-"
		}
		state := r.State
		if r.State == "exited" {
			state = fmt.Sprintf("exited (%d)", r.ExitCode)
		}
		uptime := "-"
		if r.State == "running" && !r.StartedAt.IsZero() {
			uptime = humanDuration(now.Sub(r.StartedAt))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", r.Name, r.Service, r.Number, state, health, uptime, strings.Join(r.Ports, ", "))
	}
	return tw.Flush()
}

func humanDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
