package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

func newTopCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "top [service...]",
		Short: "Show the processes of the stack's running containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTop(cmd.Context(), g, args)
		},
	}
}

// runTop prints one table of every process, SERVICE and # (the replica)
// first and CMD last, as docker compose top does.
func runTop(ctx context.Context, g *globalOptions, services []string) error {
	project, e, done, err := g.serviceEngine(ctx, services)
	if err != nil {
		return err
	}
	defer done()
	tops, err := e.Top(ctx, project, services)
	if err != nil {
		return err
	}
	done()
	return writeTop(g.stdout, tops)
}

func writeTop(w io.Writer, tops []engine.ContainerProcesses) error {
	sort.Slice(tops, func(i, j int) bool { return tops[i].Name < tops[j].Name })
	titles := []string{"SERVICE", "#"}
	var rows []map[string]string
	for _, t := range tops {
		for _, proc := range t.Processes {
			row := map[string]string{"SERVICE": t.Service, "#": strconv.Itoa(t.Number)}
			for i, title := range t.Titles {
				if !slices.Contains(titles, title) {
					titles = append(titles, title)
				}
				if i < len(proc) {
					row[title] = proc[i]
				}
			}
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if i := slices.Index(titles, "CMD"); i >= 0 {
		titles = append(slices.Delete(titles, i, i+1), "CMD")
	}
	tw := tabwriter.NewWriter(w, 4, 1, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(titles, "\t"))
	for _, row := range rows {
		cells := make([]string, len(titles))
		for i, title := range titles {
			if v, ok := row[title]; ok {
				cells[i] = v
			} else {
				cells[i] = "-"
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}
