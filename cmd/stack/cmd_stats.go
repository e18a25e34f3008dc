package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/listfmt"
	"github.com/stack-dev/stack/internal/ui"
)

type statsOptions struct {
	All      bool
	Format   string
	NoStream bool
	NoTrunc  bool
}

func newStatsCmd(g *globalOptions) *cobra.Command {
	var opts statsOptions
	cmd := &cobra.Command{
		Use:   "stats [service...]",
		Short: "Show the resource use of the stack's containers",
		Long: `Show CPU, memory, network and block I/O and process counts of the stack's
running containers, refreshed every second until Ctrl-C (--no-stream: once).
--format json prints the keys of docker stats --format json.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runStats(cmd.Context(), g, opts, args)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.All, "all", "a", false, "include stopped containers")
	f.StringVar(&opts.Format, "format", "table", listfmt.Help)
	f.BoolVar(&opts.NoStream, "no-stream", false, "print one sample and exit")
	f.BoolVar(&opts.NoTrunc, "no-trunc", false, "print full container IDs")
	return cmd
}

// statsRow is one container as `docker stats --format json` prints it.
type statsRow struct {
	BlockIO   string
	CPUPerc   string
	Container string
	ID        string
	MemPerc   string
	MemUsage  string
	Name      string
	NetIO     string
	PIDs      string
}

var statsHeaders = map[string]string{
	"ID": "CONTAINER ID", "CPUPerc": "CPU %", "MemUsage": "MEM USAGE / LIMIT", "MemPerc": "MEM %",
	"NetIO": "NET I/O", "BlockIO": "BLOCK I/O", "Container": "CONTAINER",
}

const statsTable = `table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}`

func runStats(ctx context.Context, g *globalOptions, opts statsOptions, services []string) error {
	format, err := listfmt.Parse(opts.Format)
	if err != nil {
		return err
	}
	if format, err = format.WithDefault(statsTable); err != nil {
		return err
	}
	project, e, done, err := g.serviceEngine(ctx, services)
	if err != nil {
		return err
	}
	defer done()
	done()
	ctx, _, stop := interrupts(ctx)
	defer stop()
	clear := !opts.NoStream && ui.IsTerminal(g.stdout)
	for {
		samples, err := e.Stats(ctx, project, services, opts.All)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		rows := make([]statsRow, len(samples))
		for i, s := range samples {
			rows[i] = newStatsRow(s, !opts.NoTrunc)
		}
		if clear {
			fmt.Fprint(g.stdout, "\x1b[2J\x1b[H")
		}
		if err := listfmt.Write(g.stdout, format, statsHeaders, rows); err != nil {
			return err
		}
		if opts.NoStream {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

func newStatsRow(s engine.ContainerStats, trunc bool) statsRow {
	id := s.ID
	if trunc && len(id) > 12 {
		id = id[:12]
	}
	memPerc := 0.0
	if s.MemLimit > 0 {
		memPerc = float64(s.MemUsage) / float64(s.MemLimit) * 100
	}
	return statsRow{
		BlockIO:   units.HumanSizeWithPrecision(float64(s.BlockRead), 3) + " / " + units.HumanSizeWithPrecision(float64(s.BlockWrite), 3),
		CPUPerc:   fmt.Sprintf("%.2f%%", s.CPUPercent),
		Container: id,
		ID:        id,
		MemPerc:   fmt.Sprintf("%.2f%%", memPerc),
		MemUsage:  units.BytesSize(float64(s.MemUsage)) + " / " + units.BytesSize(float64(s.MemLimit)),
		Name:      s.Name,
		NetIO:     units.HumanSizeWithPrecision(float64(s.NetRx), 3) + " / " + units.HumanSizeWithPrecision(float64(s.NetTx), 3),
		PIDs:      strconv.FormatUint(s.PIDs, 10),
	}
}
