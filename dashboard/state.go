package dashboard

import (
	"context"
	"errors"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
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
	// ImageState says whether the service's image is up to date with its
	// build context (engine.ImageFreshness): "up to date", "stale",
	// "missing", or "" for an image up does not build.
	ImageState string `json:"image_state,omitempty"`
}

// Container is one row of the live table. It carries no environment and no
// labels, so no secret value reaches the page.
type Container struct {
	Service string `json:"service"`
	Name    string `json:"name"`
	Number  int    `json:"number"`
	State   string `json:"state"`
	Health  string `json:"health"`
	// Probe is stack's own readiness probe of a running container whose
	// service has a healthcheck, as up --wait runs it (engine.ProbeReady):
	// "ready", "not ready" (ProbeError says why) or "" (no probe).
	Probe      string    `json:"probe,omitempty"`
	ProbeError string    `json:"probe_error,omitempty"`
	Status     string    `json:"status"`
	ExitCode   int       `json:"exit_code"`
	StartedAt  time.Time `json:"started_at"`
	Uptime     string    `json:"uptime"`
	// RestartCount is how often its restart policy restarted it.
	RestartCount int    `json:"restart_count"`
	Image        string `json:"image"`
	ImageState   string `json:"image_state,omitempty"`
	Ports        []Port `json:"ports"`
}

// Port is a published port, with the link to open it from the browser.
type Port struct {
	Text string `json:"text"`
	URL  string `json:"url,omitempty"`
}

// stateBuilder builds a project's State, keeping what is dear to find
// out between builds: the readiness probe of each container (run in the
// background when the container starts or its health changes, and every
// retry interval while it fails) and whether each image is up to date (found
// out on checkImages only: it hashes build contexts).
type stateBuilder struct {
	e       *engine.Engine
	project string
	model   *spec.Project

	mu       sync.Mutex
	probes   map[string]probeResult // by container ID
	inflight map[string]bool        // probes running, by container ID
	images   map[string]string      // service -> engine.ImageFreshness
	// probed is signalled when a probe ends; running counts the probes
	// that have not.
	probed  chan struct{}
	running sync.WaitGroup
}

type probeResult struct {
	key string // start time and health it was run at
	err error
	at  time.Time
}

func newStateBuilder(e *engine.Engine, project string, model *spec.Project) *stateBuilder {
	return &stateBuilder{e: e, project: project, model: model,
		probes: map[string]probeResult{}, inflight: map[string]bool{}, images: map[string]string{},
		probed: make(chan struct{}, 1)}
}

// checkImages finds out again whether each image of the model is up to
// date with its build context.
func (b *stateBuilder) checkImages(ctx context.Context) {
	if b.model == nil {
		return
	}
	images := map[string]string{}
	for _, name := range b.model.ServiceNames() {
		state, err := b.e.ImageFreshness(ctx, b.model, name)
		if err != nil {
			state = "unknown: " + err.Error()
		}
		images[name] = state
	}
	b.mu.Lock()
	b.images = images
	b.mu.Unlock()
}

// probeTimeout bounds a readiness probe whose healthcheck has no timeout.
const probeTimeout = 30 * time.Second

// probeRetry is how soon a failed probe runs again: the healthcheck's
// start_interval, as up --wait probes, else its interval.
func probeRetry(s *spec.Service) time.Duration {
	d := 5 * time.Second
	if hc := s.Healthcheck; hc != nil {
		switch {
		case hc.StartInterval > 0:
			d = hc.StartInterval
		case hc.Interval > 0:
			d = hc.Interval
		}
	}
	return max(d, time.Second)
}

// probe fills the rows' readiness probes from what is known, and starts
// in the background those not known for a container's current start and
// health (or failed longer than a retry interval ago): a probe never holds
// a state up. Each one that ends signals b.probed. It returns how soon a
// failed one is due again (0: none failed).
func (b *stateBuilder) probe(ctx context.Context, rows []engine.ContainerSummary, out []Container, now time.Time) time.Duration {
	if b.model == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var due time.Duration
	for i, r := range rows {
		s := b.model.Services[r.Service]
		if s == nil || r.State != "running" {
			continue
		}
		key := r.StartedAt.String() + "|" + r.Health
		retry := probeRetry(s)
		res, known := b.probes[r.ID]
		if known && res.key == key {
			fillProbe(&out[i], res.err)
			if res.err == nil || errors.Is(res.err, engine.ErrNoProbe) {
				continue
			}
			if left := retry - now.Sub(res.at); left > 0 {
				if due == 0 || left < due {
					due = left
				}
				continue
			}
		}
		if b.inflight[r.ID] {
			continue
		}
		b.inflight[r.ID] = true
		b.running.Add(1)
		go func(id string) {
			defer b.running.Done()
			// A probe without a timeout of its own must not run forever.
			pctx, cancel := context.WithTimeout(ctx, probeTimeout)
			defer cancel()
			err := b.e.ProbeReady(pctx, s, id)
			b.mu.Lock()
			b.probes[id] = probeResult{key: key, err: err, at: time.Now()}
			delete(b.inflight, id)
			b.mu.Unlock()
			select {
			case b.probed <- struct{}{}:
			default:
			}
		}(r.ID)
	}
	// Forget the containers that are gone.
	for id := range b.probes {
		if !slices.ContainsFunc(rows, func(r engine.ContainerSummary) bool { return r.ID == id }) {
			delete(b.probes, id)
		}
	}
	return due
}

func fillProbe(c *Container, err error) {
	switch {
	case errors.Is(err, engine.ErrNoProbe):
	case err == nil:
		c.Probe = "ready"
	default:
		c.Probe, c.ProbeError = "not ready", err.Error()
	}
}

// build reads the project's containers and draws the graph of the model
// (none: the services that have containers, without edges). The duration
// is how soon a failed readiness probe is due again (0: none).
func (b *stateBuilder) build(ctx context.Context, now time.Time) (State, time.Duration) {
	model := b.model
	st := State{Project: b.project, HasModel: model != nil, Time: now, Rows: []Container{}, Services: []Service{}}
	rows, err := b.e.Ps(ctx, b.project, engine.PsOptions{All: true})
	if err != nil {
		st.Error = err.Error()
	}
	jobs := map[string]bool{}
	if model != nil {
		jobs = model.AwaitedToComplete()
	}
	b.mu.Lock()
	images := b.images
	b.mu.Unlock()
	byService := map[string][]engine.ContainerSummary{}
	for i, r := range rows {
		// A one-shot job others wait on that exited 0 is done, not down.
		if jobs[r.Service] && r.State == "exited" && r.ExitCode == 0 {
			rows[i].State, r.State = "completed", "completed"
		}
		byService[r.Service] = append(byService[r.Service], r)
		c := containerRow(r, now)
		c.ImageState = images[r.Service]
		st.Rows = append(st.Rows, c)
	}
	due := b.probe(ctx, rows, st.Rows, now)
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
		svc.ImageState = images[name]
		states[name] = svc.State
		st.Services = append(st.Services, svc)
	}
	st.Graph = graphSVG(model, sorted, states)
	return st, due
}

func containerRow(r engine.ContainerSummary, now time.Time) Container {
	c := Container{
		Service: r.Service, Name: r.Name, Number: r.Number, State: r.State, Health: r.Health,
		Status: r.Status, ExitCode: r.ExitCode, Image: r.Image, Ports: []Port{},
		RestartCount: r.RestartCount,
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
