package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/listfmt"
)

type volumesOptions struct {
	Format string
	Quiet  bool
}

func newVolumesCmd(g *globalOptions) *cobra.Command {
	var opts volumesOptions
	cmd := &cobra.Command{
		Use:   "volumes [service...]",
		Short: "List the stack's volumes",
		Long: `List the stack's volumes; with service names, those their containers
mount. --format json prints the keys of docker compose volumes --format json.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVolumes(cmd.Context(), g, opts, args)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "table", listfmt.Help)
	cmd.Flags().BoolVarP(&opts.Quiet, "quiet", "q", false, "print volume names only")
	return cmd
}

// volumeRow is one volume as `docker compose volumes --format json` (the
// docker CLI's volume formatter) prints it.
type volumeRow struct {
	Availability string
	Driver       string
	Group        string
	Labels       string
	Links        string
	Mountpoint   string
	Name         string
	Scope        string
	Size         string
	Status       string
}

var volumeHeaders = map[string]string{"Name": "VOLUME NAME", "Mountpoint": "MOUNTPOINT"}

func runVolumes(ctx context.Context, g *globalOptions, opts volumesOptions, services []string) error {
	format, err := listfmt.Parse(opts.Format)
	if err != nil {
		return err
	}
	project, e, done, err := g.serviceEngine(ctx, services)
	if err != nil {
		return err
	}
	defer done()
	volumes, err := e.Volumes(ctx, project, services)
	if err != nil {
		return err
	}
	done()
	if opts.Quiet {
		for _, v := range volumes {
			fmt.Fprintln(g.stdout, v.Name)
		}
		return nil
	}
	rows := make([]volumeRow, len(volumes))
	for i, v := range volumes {
		rows[i] = newVolumeRow(v)
	}
	format, err = format.WithDefault(`table {{.Driver}}\t{{.Name}}`)
	if err != nil {
		return err
	}
	return listfmt.Write(g.stdout, format, volumeHeaders, rows)
}

func newVolumeRow(v engine.VolumeSummary) volumeRow {
	labels := make([]string, 0, len(v.Labels))
	for k, val := range v.Labels {
		labels = append(labels, k+"="+val)
	}
	sort.Strings(labels)
	return volumeRow{
		Availability: "N/A", Group: "N/A", Links: "N/A", Size: "N/A", Status: "N/A",
		Driver: v.Driver, Labels: strings.Join(labels, ","), Mountpoint: v.Mountpoint,
		Name: v.Name, Scope: v.Scope,
	}
}
