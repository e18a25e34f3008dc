package dashboard

import (
	"context"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
)

// State is what the page shows of one stack at one moment: every container
// of its services, and the dependency graph coloured by their states. It is
// rebuilt from the engine after each event and sent to the page whole.
type State struct {
	Project  string      `json:"project"`
	Services []Service   `json:"services"`
	Graph    string      `json:"graph"` // SVG
	HasModel bool        `json:"has_model"`
	Time     time.Time   `json:"time"`
	Error    string      `json:"error,omitempty"`
	Rows     []Container `json:"rows"`
}

// Service is a service's summary: its replicas and the state they add up to.
type Service struct {
	Name     string `json:"name"`
	State    string `json:"state"` // running, healthy, unhealthy, starting, exited, created, absent
	Running  int    `json:"running"`
	Replicas int    `json:"replicas"`
}

// Container is one row of the live table. It carries no environment and no
// labels, so no secret value reaches the page.
type Container struct {
	Service   string    `json:"service"`
	Name      string    `json:"name"`
	Number    int       `json:"number"`
	State     string    `json:"state"`
	Health    string    `json:"health"`
	Status    string    `json:"status"`
	ExitCode  int       `json:"exit_code"`
	StartedAt time.Time `json:"started_at"`
	Uptime    string    `json:"uptime"`
	Image     string    `json:"image"`
	Ports     []Port    `json:"ports"`
}

// Port is a published port, with the link to open it from the browser.
type Port struct {
	Text string `json:"text"`
	URL  string `json:"url,omitempty"`
}

// buildState reads the project's containers from e and draws the graph of
// model (nil: the services that have containers, without edges).
func buildState(ctx context.Context, e *engine.Engine, project string, model *spec.Project, now time.Time) State {
	st := State{Project: project, HasModel: model != nil, Time: now, Rows: []Container{}, Services: []Service{}}
	rows, err := e.Ps(ctx, project, engine.PsOptions{All: true})
	if err != nil {
		st.Error = err.Error()
	}
	jobs := map[string]bool{}
	if model != nil {
		jobs = model.AwaitedToComplete()
	}
	byService := map[string][]engine.ContainerSummary{}
	for i, r := range rows {
		// A one-shot job others wait on that exited 0 is done, not down.
		if jobs[r.Service] && r.State == "exited" && r.ExitCode == 0 {
			rows[i].State, r.State = "completed", "completed"
		}
		byService[r.Service] = append(byService[r.Service], r)
		st.Rows = append(st.Rows, containerRow(r, now))
	}
	names := map[string]bool{}
	for name := range byService {
		names[name] = true
	}
	if model != nil {
		for name := range model.Services {
			names[name] = true
		}
	}
	sorted := make([]string, 0, len(names))
	for name := range names {
		sorted = append(sorted, name)
	}
	sort.Strings(sorted)
	states := map[string]string{}
	for _, name := range sorted {
		svc := serviceSummary(name, byService[name])
		if model != nil && model.Services[name] != nil && svc.Replicas == 0 {
			svc.State = "absent"
		}
		states[name] = svc.State
		st.Services = append(st.Services, svc)
	}
	st.Graph = graphSVG(model, sorted, states)
	return st
}

func containerRow(r engine.ContainerSummary, now time.Time) Container {
	c := Container{
		Service: r.Service, Name: r.Name, Number: r.Number, State: r.State, Health: r.Health,
		Status: r.Status, ExitCode: r.ExitCode, Image: r.Image, Ports: []Port{},
	}
	if r.State == "running" && !r.StartedAt.IsZero() {
		c.StartedAt = r.StartedAt
		c.Uptime = now.Sub(r.StartedAt).Round(time.Second).String()
	}
	for _, p := range r.Publishers {
		if p.HostPort == "" {
			continue
		}
		proto := p.Protocol
		if proto == "" {
			proto = "tcp"
		}
		port := Port{Text: strings.TrimPrefix(p.HostIP+":", ":") + p.HostPort + "->" + strconv.Itoa(int(p.ContainerPort)) + "/" + proto}
		if proto == "tcp" {
			host := p.HostIP
			if host == "" || host == "0.0.0.0" || host == "::" {
				host = "127.0.0.1"
			}
			port.URL = "http://" + net.JoinHostPort(host, p.HostPort) + "/"
		}
		c.Ports = append(c.Ports, port)
	}
	return c
}

// serviceSummary adds the replicas' states up: the worst one counts.
func serviceSummary(name string, rows []engine.ContainerSummary) Service {
	s := Service{Name: name, Replicas: len(rows), State: "absent"}
	rank := map[string]int{"absent": 0, "completed": 1, "healthy": 2, "running": 3, "created": 4, "starting": 5, "paused": 6, "exited": 7, "unhealthy": 8}
	for i, r := range rows {
		state := r.State
		if r.State == "running" {
			s.Running++
			switch r.Health {
			case "healthy", "unhealthy", "starting":
				state = r.Health
			}
		}
		if _, known := rank[state]; !known {
			state = "exited"
		}
		if i == 0 || rank[state] > rank[s.State] {
			s.State = state
		}
	}
	return s
}
