package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/listfmt"
)

type imagesOptions struct {
	Format string
	Quiet  bool
}

func newImagesCmd(g *globalOptions) *cobra.Command {
	var opts imagesOptions
	cmd := &cobra.Command{
		Use:   "images [service...]",
		Short: "List the images of the stack's containers",
		Long: `List the image of each of the stack's containers. --format json prints one
JSON array with the keys of docker compose images --format json.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runImages(cmd.Context(), g, opts, args)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "table", listfmt.Help)
	cmd.Flags().BoolVarP(&opts.Quiet, "quiet", "q", false, "print image IDs only")
	return cmd
}

// imageRow is one image as `docker compose images --format json` prints it.
type imageRow struct {
	ID            string     `json:"ID"`
	ContainerName string     `json:"ContainerName"`
	Repository    string     `json:"Repository"`
	Tag           string     `json:"Tag"`
	Platform      string     `json:"Platform"`
	Size          int64      `json:"Size"`
	Created       *time.Time `json:"Created,omitempty"`
	LastTagTime   time.Time  `json:"LastTagTime,omitzero"`
}

func runImages(ctx context.Context, g *globalOptions, opts imagesOptions, services []string) error {
	format, err := listfmt.Parse(opts.Format)
	if err != nil {
		return err
	}
	project, e, done, err := g.serviceEngine(ctx, services)
	if err != nil {
		return err
	}
	defer done()
	images, err := e.Images(ctx, project, services)
	if err != nil {
		return err
	}
	done()
	if opts.Quiet {
		var ids []string
		for _, img := range images {
			id := strings.TrimPrefix(img.ID, "sha256:")
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
				fmt.Fprintln(g.stdout, id)
			}
		}
		return nil
	}
	rows := make([]imageRow, len(images))
	for i, img := range images {
		rows[i] = newImageRow(img)
	}
	switch {
	case format.IsJSON():
		// One array, as Compose prints it (ps prints lines).
		if rows == nil {
			rows = []imageRow{}
		}
		b, err := json.Marshal(rows)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(g.stdout, "%s\n", b)
		return err
	case !format.IsTable():
		return listfmt.Write(g.stdout, format, map[string]string{"ContainerName": "CONTAINER"}, rows)
	}
	tw := tabwriter.NewWriter(g.stdout, 20, 1, 3, ' ', 0)
	fmt.Fprintln(tw, "CONTAINER\tREPOSITORY\tTAG\tPLATFORM\tIMAGE ID\tSIZE\tCREATED")
	for _, r := range rows {
		repo, tag := r.Repository, r.Tag
		if repo == "" {
			repo = "<none>"
		}
		if tag == "" {
			tag = "<none>"
		}
		created := "N/A"
		if r.Created != nil {
			created = units.HumanDuration(time.Since(*r.Created)) + " ago"
		}
		id := strings.TrimPrefix(r.ID, "sha256:")
		if len(id) > 12 {
			id = id[:12]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ContainerName, repo, tag, r.Platform, id, units.HumanSizeWithPrecision(float64(r.Size), 3), created)
	}
	return tw.Flush()
}

func newImageRow(img engine.ContainerImage) imageRow {
	r := imageRow{ID: img.ID, ContainerName: img.Container, Size: img.Size, LastTagTime: img.LastTagTime}
	if !img.Created.IsZero() {
		created := img.Created
		r.Created = &created
	}
	r.Platform = img.OS + "/" + img.Architecture
	if img.Variant != "" {
		r.Platform += "/" + img.Variant
	}
	// The tag the container was created from, else the image's first.
	tag := ""
	if slices.Contains(img.RepoTags, img.Ref) {
		tag = img.Ref
	} else if len(img.RepoTags) > 0 {
		tag = img.RepoTags[0]
	}
	if tag != "" {
		r.Repository, r.Tag = splitTag(tag)
	}
	return r
}

// splitTag splits "registry:5000/name:tag" into its repository and tag.
func splitTag(ref string) (repo, tag string) {
	i := strings.LastIndex(ref, ":")
	if i < 0 || strings.Contains(ref[i:], "/") {
		return ref, "latest"
	}
	return ref[:i], ref[i+1:]
}
