package spec

import (
	"fmt"
	"strconv"
	"strings"
)

// RenderGraph draws the dependency graph of the enabled services in format
// "text" (services by start level, with their dependencies), "dot"
// (Graphviz) or "mermaid". Edges point from a service to what it depends on
// and carry the condition; a dependency on a service left out by profiles
// is shown as disabled.
func RenderGraph(p *Project, format string) (string, error) {
	levels, err := p.Levels()
	if err != nil {
		return "", err
	}
	switch format {
	case "text", "":
		return graphText(p, levels), nil
	case "dot":
		return graphDot(p, levels), nil
	case "mermaid":
		return graphMermaid(p, levels), nil
	default:
		return "", fmt.Errorf("unknown graph format %q (want text, dot or mermaid)", format)
	}
}

// graphEdge is one depends_on entry, for drawing.
type graphEdge struct {
	from, to string
	dep      Dependency
	disabled bool // the dependency is not an enabled service
}

func (e graphEdge) label() string {
	cond := e.dep.Condition
	if cond == "" {
		cond = ConditionStarted
	}
	parts := []string{cond}
	if !e.dep.Required {
		parts = append(parts, "optional")
	}
	if e.dep.Restart {
		parts = append(parts, "restart")
	}
	if e.disabled {
		parts = append(parts, "disabled")
	}
	return strings.Join(parts, ", ")
}

func graphEdges(p *Project, name string) []graphEdge {
	s := p.Services[name]
	var edges []graphEdge
	for _, dep := range sortedKeys(s.DependsOn) {
		_, enabled := p.Services[dep]
		edges = append(edges, graphEdge{from: name, to: dep, dep: s.DependsOn[dep], disabled: !enabled})
	}
	return edges
}

func graphText(p *Project, levels [][]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d services\n", p.Name, len(p.Services))
	for i, level := range levels {
		fmt.Fprintf(&b, "level %d\n", i)
		for _, name := range level {
			fmt.Fprintf(&b, "  %s%s\n", name, replicasNote(p.Services[name]))
			for _, e := range graphEdges(p, name) {
				fmt.Fprintf(&b, "    -> %s (%s)\n", e.to, e.label())
			}
		}
	}
	return b.String()
}

func replicasNote(s *Service) string {
	if s.Replicas == 1 {
		return ""
	}
	return " x" + strconv.Itoa(s.Replicas)
}

func graphDot(p *Project, levels [][]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", strconv.Quote(p.Name))
	b.WriteString("  rankdir=LR;\n  node [shape=box];\n")
	for _, level := range levels {
		for _, name := range level {
			fmt.Fprintf(&b, "  %s;\n", strconv.Quote(name))
		}
	}
	for _, level := range levels {
		for _, name := range level {
			for _, e := range graphEdges(p, name) {
				style := ""
				if e.disabled || !e.dep.Required {
					style = ", style=dashed"
				}
				fmt.Fprintf(&b, "  %s -> %s [label=%s%s];\n", strconv.Quote(e.from), strconv.Quote(e.to), strconv.Quote(e.label()), style)
			}
		}
	}
	b.WriteString("}\n")
	return b.String()
}

func graphMermaid(p *Project, levels [][]string) string {
	var b strings.Builder
	b.WriteString("graph LR\n")
	// ids are positional so names with any characters cannot collide.
	ids := map[string]string{}
	node := func(name string) string {
		if id, ok := ids[name]; ok {
			return id
		}
		id := "s" + strconv.Itoa(len(ids))
		ids[name] = id
		return id + `["` + strings.ReplaceAll(name, `"`, "#quot;") + `"]`
	}
	for _, level := range levels {
		for _, name := range level {
			fmt.Fprintf(&b, "  %s\n", node(name))
		}
	}
	for _, level := range levels {
		for _, name := range level {
			for _, e := range graphEdges(p, name) {
				arrow := "-->"
				if e.disabled || !e.dep.Required {
					arrow = "-.->"
				}
				fmt.Fprintf(&b, "  %s %s|%s| %s\n", node(e.from), arrow, e.label(), node(e.to))
			}
		}
	}
	return b.String()
}
