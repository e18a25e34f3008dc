package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/docker/go-units"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/mobydocker"
	"github.com/stack-dev/stack/internal/listfmt"
	"github.com/stack-dev/stack/internal/ui"
	"github.com/stack-dev/stack/swarm"
)

// swarmTarget decides whether ps, logs and scale work on the stack
// deployed to the swarm (stack deploy) rather than on its containers: with
// --swarm, or when the project has no containers but the swarm has
// services of it. It returns nil when they work on containers.
func (g *globalOptions) swarmTarget(ctx context.Context, project string, force bool, e *engine.Engine) (swarm.Swarm, func(), error) {
	if !force {
		names, err := e.ServiceNames(ctx, project)
		if err != nil || len(names) > 0 {
			return nil, nil, err
		}
	}
	c, err := mobydocker.New(g.log)
	if err != nil {
		return nil, nil, err
	}
	sw := c.Swarm()
	deployed, err := swarm.Deployed(ctx, sw, project)
	if err != nil || (!deployed && !force) {
		c.Close()
		return nil, nil, err
	}
	if !deployed {
		c.Close()
		return nil, nil, fmt.Errorf("stack %s is not deployed to a swarm (no services labelled %s=%s)", project, swarm.LabelNamespace, project)
	}
	return sw, func() { c.Close() }, nil
}

// taskRow is a task as `docker stack ps --format json` prints it.
type taskRow struct {
	ID           string
	Name         string
	Image        string
	Node         string
	DesiredState string
	CurrentState string
	Error        string
	Ports        string
}

var taskHeaders = map[string]string{"DesiredState": "DESIRED STATE", "CurrentState": "CURRENT STATE"}

func newTaskRow(r swarm.TaskRow, now time.Time, trunc bool) taskRow {
	row := taskRow{
		ID: r.ID, Name: r.Name, Image: r.Image, Node: r.Node, Error: r.Error,
		DesiredState: titleWord(r.DesiredState), CurrentState: titleWord(r.CurrentState),
	}
	if !r.Since.IsZero() {
		row.CurrentState += " " + units.HumanDuration(now.Sub(r.Since)) + " ago"
	}
	if r.Replaced {
		row.Name = ` \_ ` + row.Name
	}
	if trunc && len(row.ID) > 12 {
		row.ID = row.ID[:12]
	}
	return row
}

func titleWord(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// runSwarmPs is ps of a deployed stack: its tasks, as `docker stack ps`.
func runSwarmPs(ctx context.Context, g *globalOptions, sw swarm.Swarm, project string, opts psOptions, format listfmt.Format, services []string) error {
	rows, err := swarm.Ps(ctx, sw, project, swarm.PsOptions{Services: services, All: opts.All})
	if err != nil {
		return err
	}
	now := time.Now()
	switch {
	case opts.Quiet:
		for _, r := range rows {
			fmt.Fprintln(g.stdout, r.ID)
		}
		return nil
	case opts.Services:
		seen := map[string]bool{}
		for _, r := range rows {
			if !seen[r.Service] {
				seen[r.Service] = true
				fmt.Fprintln(g.stdout, r.Service)
			}
		}
		return nil
	case format.IsTable():
		tw := tabwriter.NewWriter(g.stdout, 0, 0, 3, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tIMAGE\tNODE\tDESIRED STATE\tCURRENT STATE\tERROR")
		for _, r := range rows {
			t := newTaskRow(r, now, true)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Image, t.Node, t.DesiredState, t.CurrentState, t.Error)
		}
		return tw.Flush()
	}
	out := make([]taskRow, len(rows))
	for i, r := range rows {
		out[i] = newTaskRow(r, now, !opts.NoTrunc)
	}
	return listfmt.Write(g.stdout, format, taskHeaders, out)
}

// runSwarmLogs is logs of a deployed stack, through the service logs API;
// each line is prefixed with its service and slot.
func runSwarmLogs(ctx context.Context, out io.Writer, sw swarm.Swarm, project string, opts logsOptions, services []string) error {
	if opts.Since > 0 {
		return fmt.Errorf("--since: not for a stack on a swarm (docker service logs --since)")
	}
	printer := ui.NewLogPrinter(out, opts.NoPrefix, 0)
	tail := opts.Tail
	if tail == "all" {
		tail = ""
	}
	return swarm.Logs(ctx, sw, project, services, swarm.LogOptions{Follow: opts.Follow, Tail: tail, Timestamps: opts.Timestamps}, func(l swarm.ServiceLogLine) {
		if opts.Index > 0 && l.Slot != opts.Index {
			return
		}
		printer.Print(engine.LogLine{Service: l.Service, Number: l.Slot, Stderr: l.Stderr, Text: l.Text})
	})
}
