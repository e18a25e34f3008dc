package dashboard

import (
	"fmt"
	"html"
	"sort"
	"strings"

	"github.com/stack-dev/stack/spec"
)

// Layout of the graph, in SVG user units.
const (
	nodeW, nodeH = 150, 44
	colGap       = 150
	rowGap       = 28
	margin       = 16
)

// stateColors fill a node by its service's state.
var stateColors = map[string]string{
	"healthy":   "#2e9d52",
	"running":   "#3f7fd0",
	"starting":  "#d9a21b",
	"created":   "#8a8f98",
	"paused":    "#8a8f98",
	"unhealthy": "#d1432f",
	"exited":    "#d1432f",
	"completed": "#5b8c6a",
	"absent":    "#b8bcc4",
}

// graphSVG draws the dependency graph of model as SVG: one column per
// layer (spec.Project.Levels, the dependencies to the left), an arrow from
// each service to what it depends on labelled with the condition, and each
// node filled with its state's colour. Without a model it draws the names
// alone, in one column.
func graphSVG(model *spec.Project, names []string, states map[string]string) string {
	levels := [][]string{names}
	if model != nil {
		if l, err := model.Levels(); err == nil {
			levels = l
		}
	}
	type point struct{ x, y int }
	pos := map[string]point{}
	maxRows := 0
	for col, level := range levels {
		for row, name := range level {
			pos[name] = point{margin + col*(nodeW+colGap), margin + row*(nodeH+rowGap)}
		}
		maxRows = max(maxRows, len(level))
	}
	width := margin*2 + max(1, len(levels))*(nodeW+colGap) - colGap
	height := margin*2 + max(1, maxRows)*(nodeH+rowGap) - rowGap
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" id="graph-svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`, width, height, width, height)
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>`)
	if model != nil {
		var from []string
		for name := range model.Services {
			from = append(from, name)
		}
		sort.Strings(from)
		for _, name := range from {
			deps := model.Services[name].DependsOn
			var to []string
			for dep := range deps {
				to = append(to, dep)
			}
			sort.Strings(to)
			for _, dep := range to {
				a, okA := pos[name]
				z, okZ := pos[dep]
				if !okA || !okZ {
					continue
				}
				x1, y1 := a.x, a.y+nodeH/2
				x2, y2 := z.x+nodeW, z.y+nodeH/2
				cond := deps[dep].Condition
				if cond == "" {
					cond = spec.ConditionStarted
				}
				cond = strings.TrimPrefix(cond, "service_")
				fmt.Fprintf(&b, `<g class="edge" data-from="%s" data-to="%s"><line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#555" stroke-width="1.5" marker-end="url(#arrow)"/>`,
					esc(name), esc(dep), x1, y1, x2, y2)
				fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#333" font-size="11">%s</text></g>`, (x1+x2)/2, (y1+y2)/2-4, esc(cond))
			}
		}
	}
	for _, level := range levels {
		for _, name := range level {
			p := pos[name]
			state := states[name]
			if state == "" {
				state = "absent"
			}
			fmt.Fprintf(&b, `<g class="node" data-service="%s" data-state="%s"><rect x="%d" y="%d" width="%d" height="%d" rx="8" fill="%s" stroke="#333"/>`,
				esc(name), esc(state), p.x, p.y, nodeW, nodeH, stateColors[state])
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#fff" font-weight="bold">%s</text>`, p.x+nodeW/2, p.y+18, esc(name))
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#fff" font-size="11">%s</text></g>`, p.x+nodeW/2, p.y+34, esc(state))
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func esc(s string) string { return html.EscapeString(s) }
