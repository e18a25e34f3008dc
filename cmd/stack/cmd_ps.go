package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/listfmt"
)

type psOptions struct {
	Format   string
	All      bool
	Quiet    bool
	Services bool
	Status   []string
	Filter   string
	NoTrunc  bool
	Swarm    bool
}

// psStates are the states --status and --filter status= take, as in Compose.
var psStates = []string{"paused", "restarting", "removing", "running", "dead", "created", "exited"}

func newPsCmd(g *globalOptions) *cobra.Command {
	var opts psOptions
	cmd := &cobra.Command{
		Use:   "ps [service...]",
		Short: "List the stack's containers",
		Long: `List the stack's containers. --format json prints one JSON object a line
with the keys of docker compose ps --format json (Name, Service, State,
Health, ExitCode, Publishers, ...); a Go template sees the same fields.

Of a stack deployed to a swarm (stack deploy), with --swarm or when the
project has no containers but the swarm has services of it: its tasks, as
docker stack ps lists them (ID, Name, Image, Node, DesiredState,
CurrentState, Error); -a adds the tasks newer ones replaced.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPs(cmd.Context(), g, opts, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Format, "format", "table", listfmt.Help)
	f.BoolVarP(&opts.All, "all", "a", false, "include stopped containers")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "print container IDs only")
	f.BoolVar(&opts.Services, "services", false, "print the services' names only")
	f.StringArrayVar(&opts.Status, "status", nil, "only containers in this state: "+strings.Join(psStates, ", ")+" (repeatable)")
	f.StringVar(&opts.Filter, "filter", "", "filter by a property: status=STATE")
	f.BoolVar(&opts.NoTrunc, "no-trunc", false, "print IDs and commands in full in JSON and templates")
	f.BoolVar(&opts.Swarm, "swarm", false, "list the tasks of the stack deployed to the swarm")
	return cmd
}

func runPs(ctx context.Context, g *globalOptions, opts psOptions, services []string) error {
	format, err := listfmt.Parse(opts.Format)
	if err != nil {
		return err
	}
	if opts.Filter != "" {
		key, value, _ := strings.Cut(opts.Filter, "=")
		if key != "status" {
			return fmt.Errorf("--filter %q: the only filter is status=STATE", opts.Filter)
		}
		opts.Status = append(opts.Status, value)
	}
	for _, s := range opts.Status {
		if !slices.Contains(psStates, s) {
			return fmt.Errorf("--status %q: want one of %s", s, strings.Join(psStates, ", "))
		}
	}
	project, p, e, done, err := g.projectEngine()
	if err != nil {
		return err
	}
	defer done()
	sw, closeSwarm, err := g.swarmTarget(ctx, project, opts.Swarm, e)
	if err != nil {
		return err
	}
	if sw != nil {
		defer closeSwarm()
		if len(opts.Status) > 0 {
			return fmt.Errorf("--status: not for the tasks of a swarm")
		}
		return runSwarmPs(ctx, g, sw, project, opts, format, services)
	}
	if err := g.checkServices(ctx, project, p, e, services); err != nil {
		return err
	}
	rows, err := e.Ps(ctx, project, engine.PsOptions{
		All: opts.All || len(opts.Status) > 0, Services: services,
		Details: !format.IsTable() && !opts.Quiet && !opts.Services,
	})
	if err != nil {
		return err
	}
	if len(opts.Status) > 0 {
		rows = slices.DeleteFunc(rows, func(r engine.ContainerSummary) bool { return !slices.Contains(opts.Status, r.State) })
	}
	switch {
	case opts.Quiet:
		for _, r := range rows {
			fmt.Fprintln(g.stdout, r.ID)
		}
		return nil
	case opts.Services:
		var names []string
		for _, r := range rows {
			if !slices.Contains(names, r.Service) {
				names = append(names, r.Service)
				fmt.Fprintln(g.stdout, r.Service)
			}
		}
		return nil
	case format.IsTable():
		return writePsTable(g.stdout, rows, time.Now())
	}
	out := make([]psRow, len(rows))
	for i, r := range rows {
		out[i] = newPsRow(r, time.Now(), !opts.NoTrunc)
	}
	return listfmt.Write(g.stdout, format, psHeaders, out)
}

// psRow is one container as `docker compose ps --format json` prints it
// and its templates see it: the same keys, the same value shapes.
type psRow struct {
	Command      string
	CreatedAt    string
	Engine       string
	ExitCode     int
	Health       string
	ID           string
	Image        string
	Labels       string
	LocalVolumes string
	Mounts       string
	Name         string
	Names        string
	Networks     string
	Ports        string
	Project      string
	Publishers   []psPublisher
	RunningFor   string
	Service      string
	Size         string
	State        string
	Status       string
}

// psPublisher is a port as Compose lists it.
type psPublisher struct {
	URL           string
	TargetPort    int
	PublishedPort int
	Protocol      string
}

var psHeaders = map[string]string{
	"ID": "CONTAINER ID", "RunningFor": "CREATED", "CreatedAt": "CREATED AT",
	"LocalVolumes": "LOCAL VOLUMES", "ExitCode": "EXIT CODE",
}

func newPsRow(r engine.ContainerSummary, now time.Time, trunc bool) psRow {
	row := psRow{
		CreatedAt:    r.Created.Truncate(time.Second).String(),
		ExitCode:     r.ExitCode,
		Health:       r.Health,
		ID:           r.ID,
		Image:        r.Image,
		Name:         r.Name,
		Names:        r.Name,
		Networks:     strings.Join(r.Networks, ","),
		Project:      r.Project,
		Publishers:   []psPublisher{},
		RunningFor:   units.HumanDuration(now.Sub(r.Created)) + " ago",
		Service:      r.Service,
		Size:         units.HumanSizeWithPrecision(0, 3),
		State:        r.State,
		Status:       r.Status,
		LocalVolumes: "0",
	}
	if trunc && len(row.ID) > 12 {
		row.ID = row.ID[:12]
	}
	labels := make([]string, 0, len(r.Labels))
	for k, v := range r.Labels {
		labels = append(labels, k+"="+v)
	}
	sort.Strings(labels)
	row.Labels = strings.Join(labels, ",")
	row.Engine = r.Labels["com.docker.compose.engine"]
	if d := r.Details; d != nil {
		command := d.Command
		if trunc {
			command = ellipsis(command, 20)
		}
		row.Command = strconv.Quote(command)
		mounts := slices.Clone(d.Mounts)
		for i := range mounts {
			if trunc {
				mounts[i] = ellipsis(mounts[i], 15)
			}
		}
		row.Mounts = strings.Join(mounts, ",")
		row.LocalVolumes = strconv.Itoa(d.LocalVolumes)
	}
	for _, p := range r.Publishers {
		pub := psPublisher{URL: p.HostIP, TargetPort: int(p.ContainerPort), Protocol: p.Protocol}
		pub.PublishedPort, _ = strconv.Atoi(p.HostPort)
		row.Publishers = append(row.Publishers, pub)
	}
	sort.Slice(row.Publishers, func(i, j int) bool {
		a, b := row.Publishers[i], row.Publishers[j]
		if a.URL != b.URL {
			return a.URL < b.URL
		}
		if a.TargetPort != b.TargetPort {
			return a.TargetPort < b.TargetPort
		}
		if a.PublishedPort != b.PublishedPort {
			return a.PublishedPort < b.PublishedPort
		}
		return a.Protocol < b.Protocol
	})
	row.Ports = displayPorts(row.Publishers)
	return row
}

// ellipsis shortens s to n characters, the last one "…", as Docker's
// tables do.
func ellipsis(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// displayPorts is the Ports text of `docker ps`: "0.0.0.0:8080->80/tcp"
// for a published port, "80/tcp" for one that is only exposed.
func displayPorts(pubs []psPublisher) string {
	var out []string
	for _, p := range pubs {
		if p.URL == "" || p.PublishedPort == 0 {
			out = append(out, fmt.Sprintf("%d/%s", p.TargetPort, p.Protocol))
			continue
		}
		out = append(out, fmt.Sprintf("%s->%d/%s", net.JoinHostPort(p.URL, strconv.Itoa(p.PublishedPort)), p.TargetPort, p.Protocol))
	}
	return strings.Join(out, ", ")
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
