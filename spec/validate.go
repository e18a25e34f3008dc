package spec

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Validate checks a loaded project, whichever front end loaded it, and
// reports every problem at once as an *Error.
func Validate(p *Project) error {
	v := &validator{p: p}
	for _, name := range p.ServiceNames() {
		v.service(p.Services[name])
	}
	v.hostPorts()
	v.containerNames()
	v.cycles()
	if len(v.diags) == 0 {
		return nil
	}
	sort.SliceStable(v.diags, func(i, j int) bool { return lessPos(v.diags[i].Pos, v.diags[j].Pos) })
	return &Error{Diags: v.diags}
}

type validator struct {
	p     *Project
	diags []Diagnostic
}

// add reports a problem at key of service s ("" for the service itself).
// Compose stacks also get the key path, as the compose loader's own errors.
func (v *validator) add(s *Service, key string, format string, args ...any) {
	d := Diagnostic{Pos: s.Pos(key), Summary: fmt.Sprintf(format, args...)}
	if d.Pos.File != "" && !isHCL(d.Pos.File) {
		d.KeyPath = "services." + s.Name
		if key != "" {
			d.KeyPath += "." + key
		}
	}
	v.diags = append(v.diags, d)
}

func lessPos(a, b Pos) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Column < b.Column
}

var restartOnFailure = regexp.MustCompile(`^on-failure(:[0-9]+)?$`)

var validConditions = map[string]bool{ConditionStarted: true, ConditionHealthy: true, ConditionCompleted: true}

var validPullPolicies = map[string]bool{"": true, "missing": true, "always": true, "never": true, "build": true, "if_not_present": true}

func (v *validator) service(s *Service) {
	p := v.p
	v.hooks(s)
	if s.Image == "" && s.Build == nil && s.Provider == nil {
		v.add(s, "", "service %q has neither image nor build", s.Name)
	}
	switch {
	case s.Restart == "", s.Restart == "no", s.Restart == "always", s.Restart == "unless-stopped", restartOnFailure.MatchString(s.Restart):
	default:
		v.add(s, "restart", "service %q: invalid restart policy %q (want no, always, on-failure[:N] or unless-stopped)", s.Name, s.Restart)
	}
	if _, timed, err := s.RefreshInterval(); err != nil {
		v.add(s, "pull_policy", "service %q: %v", s.Name, err)
	} else if !timed && !validPullPolicies[s.PullPolicy] {
		v.add(s, "pull_policy", "service %q: invalid pull_policy %q (want missing, always, never, build, refresh, daily, weekly or every_<duration>)", s.Name, s.PullPolicy)
	}
	if s.PullRefreshAfter != 0 && s.PullPolicy != PullRefresh {
		v.warn(s, "pull_refresh_after", "service %q: pull_refresh_after does nothing without pull_policy refresh", s.Name)
	}
	if s.Replicas > 1 && s.ContainerName != "" {
		v.add(s, "container_name", "service %q: container_name %q cannot be used with replicas = %d (container names are unique)", s.Name, s.ContainerName, s.Replicas)
	}
	if s.Replicas > 1 {
		v.replicaPorts(s)
	}
	for _, dep := range sortedKeys(s.DependsOn) {
		d := s.DependsOn[dep]
		if !validConditions[d.Condition] {
			v.add(s, "depends_on."+dep+".condition", "service %q: invalid condition %q for dependency %q (want %s, %s or %s)", s.Name, d.Condition, dep, ConditionStarted, ConditionHealthy, ConditionCompleted)
		}
		if _, ok := p.Services[dep]; ok {
			continue
		}
		if slices.Contains(s.ReferencedServices(), dep) {
			continue // runtime() names the key that refers to it
		}
		if _, disabled := p.Disabled[dep]; disabled {
			if d.Required {
				v.add(s, "depends_on."+dep, "service %q depends on %q, which is disabled by its profiles (enable the profile or set required = false)", s.Name, dep)
			}
			continue
		}
		v.add(s, "depends_on."+dep, "service %q depends on unknown service %q", s.Name, dep)
	}
	for _, key := range sortedKeys(s.Networks) {
		if _, ok := p.Networks[key]; !ok {
			v.add(s, "networks."+key, "service %q uses undeclared network %q", s.Name, key)
		}
	}
	for i, m := range s.Volumes {
		if m.Type == MountVolume && m.Source != "" {
			if _, ok := p.Volumes[m.Source]; !ok {
				v.add(s, fmt.Sprintf("volumes[%d]", i), "service %q uses undeclared volume %q", s.Name, m.Source)
			}
		}
	}
	for i, ref := range s.Secrets {
		if _, ok := p.Secrets[ref.Source]; !ok {
			v.add(s, fmt.Sprintf("secrets[%d]", i), "service %q uses undeclared secret %q", s.Name, ref.Source)
		}
	}
	for i, ref := range s.Configs {
		if _, ok := p.Configs[ref.Source]; !ok {
			v.add(s, fmt.Sprintf("configs[%d]", i), "service %q uses undeclared config %q", s.Name, ref.Source)
		}
	}
	v.runtime(s)
	v.build(s)
}

// replicaPorts reports host ports that cannot serve every replica: each
// replica binds its own host port, so a fixed port fits one replica and a
// range fits as many replicas as it has ports.
func (v *validator) replicaPorts(s *Service) {
	for i, port := range s.Ports {
		if port.HostPort == "" {
			continue
		}
		first, last, err := parsePortRange(port.HostPort)
		if err != nil {
			continue // reported by hostPorts
		}
		key := fmt.Sprintf("ports[%d]", i)
		switch size := last - first + 1; {
		case !strings.Contains(port.HostPort, "-"):
			v.add(s, key, "service %q: host port %s cannot be published by %d replicas; leave the host port out or give a range", s.Name, port.HostPort, s.Replicas)
		case size < s.Replicas:
			v.add(s, key, "service %q: host port range %s has %d ports for %d replicas; widen the range or lower the replicas", s.Name, port.HostPort, size, s.Replicas)
		}
	}
}

// validContainerName is Docker's rule for container names (at least two
// characters); an invalid one would only fail when the container is created.
var validContainerName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// containerNames reports invalid container_name values and two enabled
// services with the same one: Docker names are unique. Disabled services
// are left out, as profile variants of one service often share a name.
func (v *validator) containerNames() {
	usedBy := map[string]*Service{}
	for _, name := range v.p.ServiceNames() {
		s := v.p.Services[name]
		cn := s.ContainerName
		switch prev, taken := usedBy[cn]; {
		case cn == "":
		case !validContainerName.MatchString(cn):
			v.add(s, "container_name", "service %q: invalid container_name %q: Docker names start with a letter or digit and hold at least 2 of letters, digits, '_', '.' and '-'", name, cn)
		case taken:
			v.add(s, "container_name", "service %q: container_name %q is already used by service %q (%s)", name, cn, prev.Name, prev.Pos("container_name"))
		default:
			usedBy[cn] = s
		}
	}
}

// hostPorts reports two published ports that would bind the same host
// address: same port and protocol, and the same IP or either on all
// interfaces.
func (v *validator) hostPorts() {
	type binding struct {
		service string
		index   int
		ip      string
		first   int
		last    int
		proto   string
	}
	var seen []binding
	for _, name := range v.p.ServiceNames() {
		s := v.p.Services[name]
		for i, port := range s.Ports {
			if port.HostPort == "" {
				continue
			}
			first, last, err := parsePortRange(port.HostPort)
			if err != nil {
				v.add(s, fmt.Sprintf("ports[%d]", i), "service %q: invalid host port %q", name, port.HostPort)
				continue
			}
			b := binding{service: name, index: i, ip: normalizeHostIP(port.HostIP), first: first, last: last, proto: port.protocol()}
			for _, o := range seen {
				// A range lets Docker pick a free port from it; only single
				// ports are certain to clash.
				if first != last || o.first != o.last {
					continue
				}
				if o.proto == b.proto && o.first == b.first && (o.ip == "" || b.ip == "" || o.ip == b.ip) {
					v.add(s, fmt.Sprintf("ports[%d]", i), "service %q: host port %s/%s is already published by service %q (%s)",
						name, strconv.Itoa(first), b.proto, o.service, v.p.Services[o.service].Pos(fmt.Sprintf("ports[%d]", o.index)))
					break
				}
			}
			seen = append(seen, b)
		}
	}
}

// normalizeHostIP treats the all-interfaces addresses as "".
func normalizeHostIP(ip string) string {
	if ip == "0.0.0.0" || ip == "::" {
		return ""
	}
	return ip
}

func (v *validator) cycles() {
	_, err := v.p.Order()
	var cycle *CycleError
	if errors.As(err, &cycle) {
		key := ""
		if len(cycle.Path) > 1 {
			key = "depends_on." + cycle.Path[1]
		}
		v.add(v.p.Services[cycle.Path[0]], key, "%s", cycle.Error())
	}
}
