package engine

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ProjectSummary is one row of `ls`, named as `docker compose ls
// --format json` names its fields.
type ProjectSummary struct {
	Name        string `json:"Name"`
	Status      string `json:"Status"`      // "running(2), exited(1)"
	ConfigFiles string `json:"ConfigFiles"` // comma-separated
}

// Projects lists the projects that have containers on the engine, by
// name, with the count of containers in each state. Without all, only
// projects with a running container.
func (e *Engine) Projects(ctx context.Context, all bool) ([]ProjectSummary, error) {
	containers, err := e.docker.ContainerList(ctx, Labels{LabelProject: ""})
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	states := map[string]map[string]int{}
	files := map[string]string{}
	for _, c := range containers {
		name := c.Labels[LabelProject]
		if states[name] == nil {
			states[name] = map[string]int{}
		}
		states[name][c.State]++
		if f := c.Labels[LabelConfigFiles]; f != "" && files[name] == "" {
			files[name] = f
		}
	}
	var out []ProjectSummary
	for _, name := range sortedKeys(states) {
		counts := states[name]
		if !all && counts["running"] == 0 {
			continue
		}
		var status []string
		for _, st := range sortedKeys(counts) {
			status = append(status, st+"("+strconv.Itoa(counts[st])+")")
		}
		out = append(out, ProjectSummary{Name: name, Status: strings.Join(status, ", "), ConfigFiles: files[name]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
