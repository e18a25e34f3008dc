package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

func newEventsCmd(g *globalOptions) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "events [service...]",
		Short: "Stream the engine's events for the stack's containers, networks and volumes",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEvents(cmd.Context(), g, asJSON, args)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per line")
	return cmd
}

func runEvents(ctx context.Context, g *globalOptions, asJSON bool, services []string) error {
	project, e, done, err := g.serviceEngine(ctx, services)
	if err != nil {
		return err
	}
	defer done()
	ctx, _, stop := interrupts(ctx)
	defer stop()
	enc := json.NewEncoder(g.stdout)
	return e.Events(ctx, project, func(ev engine.Event) {
		if len(services) > 0 && !slices.Contains(services, ev.Attributes[engine.LabelService]) {
			return
		}
		if asJSON {
			enc.Encode(struct {
				Time       string            `json:"time"`
				Type       string            `json:"type"`
				Action     string            `json:"action"`
				ID         string            `json:"id"`
				Service    string            `json:"service,omitempty"`
				Attributes map[string]string `json:"attributes,omitempty"`
			}{ev.Time.Format("2006-01-02T15:04:05.000000Z07:00"), ev.Type, ev.Action, ev.ID, ev.Attributes[engine.LabelService], ev.Attributes})
			return
		}
		fmt.Fprintf(g.stdout, "%s %s %s %s %s\n", ev.Time.Format("2006-01-02 15:04:05.000"), ev.Type, ev.Action, ev.ID, eventName(ev))
	})
}

// eventName is the object's name and its non-label attributes, as
// `docker events` prints them.
func eventName(ev engine.Event) string {
	var parts []string
	for _, k := range sortedAttrs(ev.Attributes) {
		if strings.Contains(k, ".") {
			continue // labels
		}
		parts = append(parts, k+"="+ev.Attributes[k])
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func sortedAttrs(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
