package engine

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/stack-dev/stack/spec"
)

// ActionKind is what the executor does to one object.
type ActionKind string

const (
	ActKeep     ActionKind = "keep"     // up to date, nothing to do
	ActCreate   ActionKind = "create"   // create and start a new container
	ActRecreate ActionKind = "recreate" // replace a container whose config changed
	ActStart    ActionKind = "start"    // start an existing, stopped container
	ActRestart  ActionKind = "restart"  // restart a running container (a dependency was recreated)
	ActRemove   ActionKind = "remove"   // stop and remove (scale down, duplicate)
	// ActRename gives its name back to an up-to-date container an
	// interrupted recreate left under a temporary name.
	ActRename ActionKind = "rename"
)

// Plan is what `up` will do, decided before anything is touched.
type Plan struct {
	Project  string
	Networks []ResourceAction
	Volumes  []ResourceAction
	// Services holds the actions per service, in dependency order.
	Services []*ServicePlan
	// Orphans are containers of services that are no longer in the stack.
	Orphans []ObservedContainer
}

// ResourceAction is the fate of a network or volume.
type ResourceAction struct {
	Kind    ActionKind // ActKeep, ActCreate, or ActRecreate (its config changed)
	Key     string
	Name    string
	Network *NetworkSpec
	Volume  *VolumeSpec
	// For ActRecreate (resources_changed.go): why, the ID of the network
	// there now, and the containers to remove first (recreated by the plan).
	Reason string
	ID     string
	Remove []ObservedContainer
}

// ServicePlan holds the container actions of one service.
type ServicePlan struct {
	Service string
	Actions []ContainerAction
}

// ContainerAction is the fate of one replica.
type ContainerAction struct {
	Kind     ActionKind
	Service  string
	Number   int
	Name     string
	Reason   string
	Existing *ObservedContainer // the container acted on, if any
	Spec     ContainerSpec      // for create and recreate
	Hash     string
}

// changes reports whether the service's plan does anything.
func (sp *ServicePlan) changes() bool {
	for _, a := range sp.Actions {
		if a.Kind != ActKeep {
			return true
		}
	}
	return false
}

// Changes reports whether the plan touches anything.
func (pl *Plan) Changes() bool {
	for _, r := range append(append([]ResourceAction{}, pl.Networks...), pl.Volumes...) {
		if r.Kind != ActKeep {
			return true
		}
	}
	for _, sp := range pl.Services {
		if sp.changes() {
			return true
		}
	}
	return false
}

// PlanOptions tune the planner.
type PlanOptions struct {
	// Services limits the plan to these services and their dependencies;
	// empty means all.
	Services []string
	// Scale overrides replicas per service.
	Scale map[string]int
	// ForceRecreate recreates every container of the named services (all
	// when none are named; their dependencies only if changed, as in
	// Docker Compose); NoRecreate never recreates.
	ForceRecreate bool
	NoRecreate    bool
	// RecreateVolumes allows recreating a volume whose config changed,
	// which loses its data (Compose's `up --yes`); without it such a plan
	// is an error.
	RecreateVolumes bool
	// NoDeps limits the plan to the named services, without their
	// dependencies (`up --no-deps`): those are neither created nor waited
	// for.
	NoDeps bool
}

// PlanUp decides what `up` must do to turn obs into p. images maps each
// service to the ID of its image. It touches nothing.
func PlanUp(p *spec.Project, obs *Observed, images map[string]string, opts PlanOptions) (*Plan, error) {
	order, err := p.Order()
	if err != nil {
		return nil, err
	}
	selected := order
	if len(opts.Services) > 0 {
		closure, err := p.Closure(opts.Services)
		if err != nil {
			return nil, err
		}
		if opts.NoDeps {
			closure = opts.Services
		}
		in := map[string]bool{}
		for _, s := range closure {
			in[s] = true
		}
		selected = nil
		for _, s := range order {
			if in[s] {
				selected = append(selected, s)
			}
		}
	}
	if err := checkExternalFiles(p, selected); err != nil {
		return nil, err
	}
	pl := &Plan{Project: p.Name}
	pl.Networks, pl.Volumes = planResources(p, obs, selected)
	resourceChanged, err := changedResourceUsers(p, obs, pl, selected, opts)
	if err != nil {
		return nil, err
	}

	jobs := jobServices(p)
	forced := map[string]bool{}
	if opts.ForceRecreate {
		for _, name := range selected {
			forced[name] = len(opts.Services) == 0 || slices.Contains(opts.Services, name)
		}
	}
	changed := map[string]bool{} // services that get new containers
	for _, name := range selected {
		s := p.Services[name]
		replicas := s.Replicas
		if n, ok := opts.Scale[name]; ok {
			replicas = n
			if err := checkScalable(s, n); err != nil {
				return nil, err
			}
		}
		sp := &ServicePlan{Service: name}
		existing := obs.ServiceContainers(name)
		byNumber := map[int]ObservedContainer{}
		for _, c := range existing {
			if _, dup := byNumber[c.Number]; dup || c.Number < 1 || c.Number > replicas {
				continue
			}
			byNumber[c.Number] = c
		}
		for n := 1; n <= replicas; n++ {
			cs := containerSpec(p, s, n, images[name])
			hash := configHash(cs)
			cs.Labels[LabelConfigHash] = hash
			a := ContainerAction{Service: name, Number: n, Name: cs.Name, Spec: cs, Hash: hash}
			c, ok := byNumber[n]
			switch {
			case !ok:
				a.Kind, a.Reason = ActCreate, "new"
			case forced[name]:
				a.Kind, a.Reason = ActRecreate, "forced"
			case resourceChanged[name] != "":
				a.Kind, a.Reason = ActRecreate, resourceChanged[name]
			case c.Hash != hash && !opts.NoRecreate:
				a.Kind, a.Reason = ActRecreate, recreateReason(c, images[name])
			case c.Name != cs.Name && c.Running():
				a.Kind, a.Reason = ActRename, "left as "+c.Name+" by an interrupted recreate"
			case c.Running():
				a.Kind = ActKeep
			case jobs[name] && c.ExitedOK():
				a.Kind, a.Reason = ActKeep, "completed"
			default:
				a.Kind, a.Reason = ActStart, c.State
			}
			if ok {
				c := c
				a.Existing = &c
			}
			if a.Kind == ActCreate || a.Kind == ActRecreate {
				changed[name] = true
			}
			sp.Actions = append(sp.Actions, a)
		}
		// Scale down from the highest number; duplicates and leftovers of a
		// crashed `up` go too.
		var extra []ObservedContainer
		for _, c := range existing {
			if kept, ok := byNumber[c.Number]; !ok || kept.ID != c.ID {
				extra = append(extra, c)
			}
		}
		sort.Slice(extra, func(i, j int) bool { return extra[i].Number > extra[j].Number })
		for _, c := range extra {
			c := c
			reason := "scale down"
			if c.Number >= 1 && c.Number <= replicas {
				reason = "duplicate"
			}
			sp.Actions = append(sp.Actions, ContainerAction{
				Kind: ActRemove, Service: name, Number: c.Number, Name: c.Name, Reason: reason, Existing: &c,
			})
		}
		pl.Services = append(pl.Services, sp)
	}
	// A service outside the selection (up vpn) that shares the namespace of
	// one that gets new containers is recreated too, on its current image:
	// left alone, it would stay bound to a container that is gone.
	inPlan := map[string]bool{}
	for _, name := range selected {
		inPlan[name] = true
	}
	for _, name := range order {
		s := p.Services[name]
		if inPlan[name] || opts.NoRecreate {
			continue
		}
		var dep string
		for _, d := range s.SharedServices() {
			if changed[d] {
				dep = d
			}
		}
		existing := obs.ServiceContainers(name)
		if dep == "" || len(existing) == 0 {
			continue
		}
		sp := &ServicePlan{Service: name}
		for _, c := range existing {
			c := c
			cs := containerSpec(p, s, c.Number, c.ImageID)
			hash := configHash(cs)
			cs.Labels[LabelConfigHash] = hash
			sp.Actions = append(sp.Actions, ContainerAction{
				Kind: ActRecreate, Service: name, Number: c.Number, Name: cs.Name, Spec: cs, Hash: hash, Existing: &c,
				Reason: "shares the " + dep + " container, which is recreated",
			})
		}
		changed[name] = true
		pl.Services = append(pl.Services, sp)
	}
	// A container that shares the namespace or volumes of another service's
	// replica 1 is recreated with it: a restart would keep it bound to the
	// old container.
	for _, sp := range pl.Services {
		s := p.Services[sp.Service]
		for i, a := range sp.Actions {
			if a.Existing == nil || a.Kind == ActRemove || a.Kind == ActRecreate || opts.NoRecreate {
				continue
			}
			reason := staleJoin(s, *a.Existing, obs)
			for _, dep := range s.SharedServices() {
				if changed[dep] {
					reason = "shares the " + dep + " container, which is recreated"
				}
			}
			if reason != "" {
				sp.Actions[i].Kind, sp.Actions[i].Reason = ActRecreate, reason
				changed[sp.Service] = true
			}
		}
	}
	// A dependency that gets new containers restarts dependents that ask
	// for it with depends_on.restart.
	for _, sp := range pl.Services {
		s := p.Services[sp.Service]
		for dep, d := range s.DependsOn {
			if !d.Restart || !changed[dep] {
				continue
			}
			for i, a := range sp.Actions {
				if a.Kind == ActKeep && a.Existing != nil && a.Existing.Running() {
					sp.Actions[i].Kind = ActRestart
					sp.Actions[i].Reason = "dependency " + dep + " recreated"
				}
			}
		}
	}
	for _, svc := range obs.Services() {
		// A service left out by profiles is still in the stack, as in
		// Compose: its containers are not orphans.
		if p.Services[svc] == nil && p.Disabled[svc] == nil {
			pl.Orphans = append(pl.Orphans, obs.ServiceContainers(svc)...)
		}
	}
	return pl, nil
}

// checkScalable rejects a scale the stack file's validation would have:
// more than one container with one fixed name or one fixed host port.
func checkScalable(s *spec.Service, n int) error {
	if n <= 1 {
		return nil
	}
	if s.ContainerName != "" {
		return fmt.Errorf("service %s: cannot scale to %d: container_name %q names one container", s.Name, n, s.ContainerName)
	}
	for _, p := range s.Ports {
		if p.HostPort != "" && !strings.Contains(p.HostPort, "-") {
			return fmt.Errorf("service %s: cannot scale to %d: host port %s can be published by one container only; leave it out or give a range", s.Name, n, p.HostPort)
		}
	}
	return nil
}

// checkExternalFiles rejects external secrets and configs: they live in a
// swarm, which a single engine does not have.
func checkExternalFiles(p *spec.Project, services []string) error {
	var errs []error
	for _, name := range services {
		s := p.Services[name]
		for _, ref := range s.Secrets {
			if sec := p.Secrets[ref.Source]; sec != nil && sec.External {
				errs = append(errs, fmt.Errorf("service %s: external secret %s needs a swarm; give it a file, environment or content", name, ref.Source))
			}
		}
		for _, ref := range s.Configs {
			if cfg := p.Configs[ref.Source]; cfg != nil && cfg.External {
				errs = append(errs, fmt.Errorf("service %s: external config %s needs a swarm; give it a file, environment or content", name, ref.Source))
			}
		}
	}
	return errors.Join(errs...)
}

func recreateReason(c ObservedContainer, imageID string) string {
	switch {
	case strings.HasPrefix(imageID, "rebuild:"):
		return "image changed (its build context or config changed)"
	case imageID != "" && c.ImageID != "" && c.ImageID != imageID:
		return "image changed"
	}
	return "config changed"
}

// jobServices are the services others wait on to complete: one-shot jobs
// that need not run again once they exited 0 with an unchanged config.
func jobServices(p *spec.Project) map[string]bool {
	jobs := map[string]bool{}
	for dep := range p.AwaitedToComplete() {
		if ds := p.Services[dep]; ds != nil && restartOrNo(ds.Restart) == "no" {
			jobs[dep] = true
		}
	}
	return jobs
}

func planResources(p *spec.Project, obs *Observed, services []string) (networks, volumes []ResourceAction) {
	usedNets := map[string]bool{}
	usedVols := map[string]bool{}
	for _, name := range services {
		s := p.Services[name]
		for _, key := range serviceNetworkKeys(s) {
			usedNets[key] = true
		}
		for _, m := range s.Volumes {
			if m.Type == spec.MountVolume && m.Source != "" {
				usedVols[m.Source] = true
			}
		}
	}
	for _, key := range sortedKeys(usedNets) {
		n := p.Networks[key]
		if n == nil {
			n = &spec.Network{Key: key, Name: p.Name + "_" + key}
		}
		a := ResourceAction{Kind: ActKeep, Key: key, Name: n.Name}
		if _, ok := obs.Networks[n.Name]; !ok && !n.External {
			a.Kind = ActCreate
			a.Network = networkSpecOf(p, key, n)
			a.Network.Driver = n.Driver // the daemon's default, as written
		}
		networkChanged(p, obs, n, &a)
		networks = append(networks, a)
	}
	for _, key := range sortedKeys(usedVols) {
		v := p.Volumes[key]
		if v == nil {
			continue // validation rejects undeclared volumes
		}
		a := ResourceAction{Kind: ActKeep, Key: key, Name: v.Name}
		if _, ok := obs.Volumes[v.Name]; !ok && !v.External {
			a.Kind = ActCreate
			labels := projectLabels(p)
			for k, val := range v.Labels {
				labels[k] = val
			}
			labels[LabelVolume] = key
			a.Volume = &VolumeSpec{Name: v.Name, Driver: v.Driver, DriverOpts: v.DriverOpts, Labels: labels}
		}
		volumeChanged(p, obs, v, &a)
		volumes = append(volumes, a)
	}
	return networks, volumes
}

// Write prints the plan for a person, Terraform-style: one line per object
// that changes, with the reason, and a summary.
func (pl *Plan) Write(w io.Writer) error {
	var b strings.Builder
	counts := map[ActionKind]int{}
	symbol := map[ActionKind]string{
		ActCreate: "+", ActRecreate: "~", ActStart: ">", ActRestart: "~", ActRemove: "-", ActKeep: " ", ActRename: "~",
	}
	for _, r := range pl.Networks {
		if r.Kind != ActKeep {
			fmt.Fprintf(&b, "  %s network %s\n", symbol[r.Kind], r.Name)
			counts[r.Kind]++
		}
	}
	for _, r := range pl.Volumes {
		if r.Kind != ActKeep {
			fmt.Fprintf(&b, "  %s volume %s\n", symbol[r.Kind], r.Name)
			counts[r.Kind]++
		}
	}
	for _, sp := range pl.Services {
		for _, a := range sp.Actions {
			if a.Kind == ActKeep {
				continue
			}
			counts[a.Kind]++
			line := fmt.Sprintf("  %s container %s (%s)", symbol[a.Kind], a.Name, a.Kind)
			if a.Reason != "" && a.Reason != "new" {
				line += ": " + a.Reason
			}
			b.WriteString(line + "\n")
		}
	}
	for _, c := range pl.Orphans {
		fmt.Fprintf(&b, "  ! container %s is an orphan (service %s is not in the stack); remove with --remove-orphans\n", c.Name, c.Service)
	}
	if !pl.Changes() {
		b.WriteString("no changes: project " + pl.Project + " is up to date\n")
	} else {
		fmt.Fprintf(&b, "plan: %d to create, %d to recreate, %d to start, %d to restart, %d to remove",
			counts[ActCreate], counts[ActRecreate], counts[ActStart], counts[ActRestart], counts[ActRemove])
		if n := counts[ActRename]; n > 0 {
			fmt.Fprintf(&b, ", %d to rename", n)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
