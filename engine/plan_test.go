package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stack-dev/stack/spec"
)

// chain is a project a <- b <- c (c depends on b depends on a).
func chain() *spec.Project {
	p := &spec.Project{Name: "x", Services: map[string]*spec.Service{}, Networks: map[string]*spec.Network{
		"default": {Key: "default", Name: "x_default"},
	}}
	add := func(name string, deps ...string) {
		s := &spec.Service{Name: name, Image: "img:" + name, Replicas: 1, DependsOn: map[string]spec.Dependency{}}
		for _, d := range deps {
			s.DependsOn[d] = spec.Dependency{Condition: spec.ConditionStarted, Required: true}
		}
		p.Services[name] = s
	}
	add("a")
	add("b", "a")
	add("c", "b")
	return p
}

var chainImages = map[string]string{"a": "sha256:a", "b": "sha256:b", "c": "sha256:c"}

// observed builds the Observed state of containers created from p as it is,
// in the given states, keyed "service-number".
func observed(p *spec.Project, images map[string]string, states map[string]string) *Observed {
	obs := &Observed{Project: p.Name, Networks: map[string]Network{"x_default": {ID: "n1", Name: "x_default"}}, Volumes: map[string]Volume{}}
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		for n := 1; n <= 5; n++ {
			state, ok := states[fmt.Sprintf("%s-%d", name, n)]
			if !ok {
				continue
			}
			cs := containerSpec(p, s, n, images[name])
			status := "Up 1 second"
			if state == "exited" {
				status = "Exited (0) 1 second ago"
			}
			obs.Containers = append(obs.Containers, ObservedContainer{
				Container: Container{ID: fmt.Sprintf("id-%s-%d", name, n), Name: cs.Name, State: state, Status: status, Labels: cs.Labels},
				Service:   name, Number: n, Hash: configHash(cs), ImageID: images[name],
			})
		}
	}
	return obs
}

// summary renders a plan as "svc-n:kind" words in plan order.
func summary(pl *Plan) string {
	var parts []string
	for _, r := range pl.Networks {
		if r.Kind != ActKeep {
			parts = append(parts, "net:"+r.Name+":"+string(r.Kind))
		}
	}
	for _, sp := range pl.Services {
		for _, a := range sp.Actions {
			parts = append(parts, fmt.Sprintf("%s-%d:%s", a.Service, a.Number, a.Kind))
		}
	}
	return strings.Join(parts, " ")
}

func TestPlanUp(t *testing.T) {
	all := map[string]string{"a-1": "running", "b-1": "running", "c-1": "running"}
	tests := []struct {
		name   string
		mutate func(p *spec.Project, images map[string]string)
		states map[string]string
		opts   PlanOptions
		want   string
		reason string // reason of the first non-keep action, if checked
	}{
		{name: "fresh", states: nil, want: "net:x_default:create a-1:create b-1:create c-1:create"},
		{name: "no-op", states: all, want: "a-1:keep b-1:keep c-1:keep"},
		{name: "stopped container starts", states: map[string]string{"a-1": "running", "b-1": "exited", "c-1": "running"}, want: "a-1:keep b-1:start c-1:keep"},
		{name: "config change recreates only that service",
			mutate: func(p *spec.Project, _ map[string]string) { p.Services["b"].Environment = map[string]string{"X": "1"} },
			states: all, want: "a-1:keep b-1:recreate c-1:keep", reason: "config changed"},
		{name: "image change recreates",
			mutate: func(_ *spec.Project, images map[string]string) { images["c"] = "sha256:new" },
			states: all, want: "a-1:keep b-1:keep c-1:recreate", reason: "image changed"},
		{name: "replicas and depends_on do not recreate",
			mutate: func(p *spec.Project, _ map[string]string) {
				p.Services["a"].Replicas = 2
				p.Services["c"].DependsOn["a"] = spec.Dependency{Condition: spec.ConditionStarted, Required: true}
			},
			states: all, want: "a-1:keep a-2:create b-1:keep c-1:keep"},
		{name: "scale down removes highest numbers",
			states: map[string]string{"a-1": "running", "a-2": "running", "a-3": "running", "b-1": "running", "c-1": "running"},
			want:   "a-1:keep a-3:remove a-2:remove b-1:keep c-1:keep"},
		{name: "scale up fills the lowest free number",
			opts:   PlanOptions{Scale: map[string]int{"a": 3}},
			states: map[string]string{"a-1": "running", "a-3": "running", "b-1": "running", "c-1": "running"},
			want:   "a-1:keep a-2:create a-3:keep b-1:keep c-1:keep"},
		{name: "force recreate", opts: PlanOptions{ForceRecreate: true}, states: all, want: "a-1:recreate b-1:recreate c-1:recreate"},
		{name: "force recreate of a named service leaves its dependencies",
			opts: PlanOptions{ForceRecreate: true, Services: []string{"b"}}, states: all, want: "a-1:keep b-1:recreate"},
		{name: "no recreate keeps changed containers",
			mutate: func(p *spec.Project, _ map[string]string) { p.Services["b"].User = "nobody" },
			opts:   PlanOptions{NoRecreate: true}, states: all, want: "a-1:keep b-1:keep c-1:keep"},
		{name: "services subset includes dependencies", opts: PlanOptions{Services: []string{"b"}}, want: "net:x_default:create a-1:create b-1:create"},
		{name: "no-deps leaves the dependencies out", opts: PlanOptions{Services: []string{"b"}, NoDeps: true}, want: "net:x_default:create b-1:create"},
		{name: "completed job is not run again",
			mutate: func(p *spec.Project, _ map[string]string) {
				p.Services["b"].DependsOn["a"] = spec.Dependency{Condition: spec.ConditionCompleted, Required: true}
			},
			states: map[string]string{"a-1": "exited", "b-1": "running", "c-1": "running"}, want: "a-1:keep b-1:keep c-1:keep"},
		{name: "dependency recreated restarts dependents that ask for it",
			mutate: func(p *spec.Project, _ map[string]string) {
				p.Services["a"].Command = []string{"serve", "--new"}
				p.Services["b"].DependsOn["a"] = spec.Dependency{Condition: spec.ConditionStarted, Required: true, Restart: true}
			},
			states: all, want: "a-1:recreate b-1:restart c-1:keep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := chain()
			obs := observed(base, chainImages, tt.states)
			p := chain()
			images := map[string]string{}
			for k, v := range chainImages {
				images[k] = v
			}
			if tt.mutate != nil {
				tt.mutate(p, images)
			}
			if tt.states == nil {
				obs.Networks = map[string]Network{}
			}
			pl, err := PlanUp(p, obs, images, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(pl); got != tt.want {
				t.Errorf("plan:\n got %s\nwant %s", got, tt.want)
			}
			if tt.reason != "" {
				for _, sp := range pl.Services {
					for _, a := range sp.Actions {
						if a.Kind != ActKeep && a.Reason != tt.reason {
							t.Errorf("%s-%d reason = %q, want %q", a.Service, a.Number, a.Reason, tt.reason)
						}
					}
				}
			}
		})
	}
}

func TestPlanUpOrphansAndDuplicates(t *testing.T) {
	p := chain()
	obs := observed(p, chainImages, map[string]string{"a-1": "running", "b-1": "running", "c-1": "running"})
	// A duplicate of a-1 left by a crashed run, and a service no longer in the stack.
	dup := obs.Containers[0]
	dup.ID, dup.Name = "id-dup", "x-a-1-dup"
	obs.Containers = append(obs.Containers, dup, ObservedContainer{
		Container: Container{ID: "id-old", Name: "x-old-1", State: "running"}, Service: "old", Number: 1,
	}, ObservedContainer{
		// Left out by profiles now, but still in the stack: no orphan.
		Container: Container{ID: "id-tools", Name: "x-tools-1", State: "running"}, Service: "tools", Number: 1,
	})
	p.Disabled = map[string]*spec.Service{"tools": {Name: "tools", Profiles: []string{"debug"}}}
	pl, err := PlanUp(p, obs, chainImages, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := summary(pl), "a-1:keep a-1:remove b-1:keep c-1:keep"; got != want {
		t.Errorf("plan:\n got %s\nwant %s", got, want)
	}
	if len(pl.Orphans) != 1 || pl.Orphans[0].Service != "old" {
		t.Errorf("orphans = %+v, want the container of service old", pl.Orphans)
	}
}

func TestPlanUpRejectsScalingFixedPorts(t *testing.T) {
	p := chain()
	p.Services["a"].Ports = []spec.Port{{HostIP: "127.0.0.1", HostPort: "8080", ContainerPort: 80}}
	_, err := PlanUp(p, &Observed{}, chainImages, PlanOptions{Scale: map[string]int{"a": 2}})
	if err == nil || !strings.Contains(err.Error(), "host port 8080") {
		t.Fatalf("err = %v, want a refusal naming the host port", err)
	}
	p.Services["a"].Ports[0].HostPort = "8080-8081"
	if _, err := PlanUp(p, &Observed{Networks: map[string]Network{}}, chainImages, PlanOptions{Scale: map[string]int{"a": 2}}); err != nil {
		t.Fatalf("a host port range should scale: %v", err)
	}
}

func TestPlanUpCycle(t *testing.T) {
	p := chain()
	p.Services["a"].DependsOn["c"] = spec.Dependency{Condition: spec.ConditionStarted, Required: true}
	_, err := PlanUp(p, &Observed{}, chainImages, PlanOptions{})
	if err == nil || !strings.Contains(err.Error(), "a -> b -> c -> a") && !strings.Contains(err.Error(), "cycle") {
		t.Fatalf("err = %v, want a dependency cycle", err)
	}
}

func TestPlanWrite(t *testing.T) {
	p := chain()
	pl, err := PlanUp(p, &Observed{Networks: map[string]Network{}}, chainImages, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := pl.Write(&b); err != nil {
		t.Fatal(err)
	}
	want := `  + network x_default
  + container x-a-1 (create)
  + container x-b-1 (create)
  + container x-c-1 (create)
plan: 4 to create, 0 to recreate, 0 to start, 0 to restart, 0 to remove
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestConfigHashIgnoresNumberAndDependencies(t *testing.T) {
	p := chain()
	s := p.Services["c"]
	h1 := configHash(containerSpec(p, s, 1, "sha256:c"))
	h2 := configHash(containerSpec(p, s, 2, "sha256:c"))
	s.DependsOn["a"] = spec.Dependency{Condition: spec.ConditionHealthy}
	h3 := configHash(containerSpec(p, s, 1, "sha256:c"))
	if h1 != h2 || h1 != h3 {
		t.Errorf("hash varies with number or depends_on: %s %s %s", h1, h2, h3)
	}
	if h4 := configHash(containerSpec(p, s, 1, "sha256:other")); h4 == h1 {
		t.Error("hash does not change with the image ID")
	}
}

// A container in the network namespace of another service's replica 1 is
// recreated when that one is, and when it was replaced since, also when
// only the other service was asked for.
func TestPlanRecreatesNamespaceSharers(t *testing.T) {
	p := chain()
	p.Services["c"].NetworkMode = "service:a"
	p.Services["c"].DependsOn["a"] = spec.Dependency{Condition: spec.ConditionStarted, Required: true, Restart: true}
	running := map[string]string{"a-1": "running", "b-1": "running", "c-1": "running"}
	tests := []struct {
		name   string
		images map[string]string
		opts   PlanOptions
		joined string // the LabelJoins c-1 was created with
		want   string
	}{
		{"unchanged", chainImages, PlanOptions{}, "id-a-1", "a-1:keep b-1:keep c-1:keep"},
		{"a was replaced since", chainImages, PlanOptions{}, "id-old", "a-1:keep b-1:keep c-1:recreate"},
		{"a is recreated", map[string]string{"a": "sha256:a2", "b": "sha256:b", "c": "sha256:c"}, PlanOptions{}, "id-a-1", "a-1:recreate b-1:keep c-1:recreate"},
		{"only a asked for", chainImages, PlanOptions{Services: []string{"a"}, ForceRecreate: true}, "id-a-1", "a-1:recreate c-1:recreate"},
		{"no recreate", map[string]string{"a": "sha256:a2", "b": "sha256:b", "c": "sha256:c"}, PlanOptions{NoRecreate: true}, "id-old", "a-1:keep b-1:keep c-1:keep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := observed(p, chainImages, running)
			for i := range obs.Containers {
				if obs.Containers[i].Service == "c" {
					obs.Containers[i].Labels[LabelJoins] = tt.joined
				}
			}
			pl, err := PlanUp(p, obs, tt.images, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(pl); got != tt.want {
				t.Errorf("plan %q, want %q", got, tt.want)
			}
		})
	}
}
