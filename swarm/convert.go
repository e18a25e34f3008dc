package swarm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/stack-dev/stack/spec"
)

// Desired is what a project becomes on a swarm.
type Desired struct {
	Namespace string
	Networks  []NetworkSpec
	Secrets   []ObjectSpec
	Configs   []ObjectSpec
	// Services by service key of the project.
	Services map[string]ServiceSpec
	// Levels are the service keys in dependency order: a level's services
	// depend only on earlier levels.
	Levels [][]string
	// Notes are the keys swarm does not honour as written, with what
	// deploy does about them; Refused ones stop a deploy.
	Notes []Note
}

// Note is one key of the stack file swarm cannot honour as written.
type Note struct {
	Path    string // services.NAME.key
	Pos     spec.Pos
	Action  string // what deploy does: "ignored: ...", "refused: ..."
	Refused bool
}

func (n Note) String() string {
	s := n.Path + ": " + n.Action
	if p := n.Pos.String(); p != "" {
		s = p + ": " + s
	}
	return s
}

// Name is the swarm name of a stack object, as the docker CLI names it.
func Name(namespace, key string) string { return namespace + "_" + key }

func nsLabels(namespace string, extra map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range extra {
		out[k] = v
	}
	out[LabelNamespace] = namespace
	return out
}

// Convert maps a project (or the services named, with their dependencies
// resolved by the caller) onto swarm objects. It reads secret and config
// sources, to name them with a hash of their content.
func Convert(p *spec.Project) (*Desired, error) {
	ns := p.Name
	d := &Desired{Namespace: ns, Services: map[string]ServiceSpec{}}
	levels, err := p.Levels()
	if err != nil {
		return nil, err
	}
	d.Levels = levels

	usedNetworks := map[string]bool{}
	for _, s := range p.Services {
		if len(s.Networks) == 0 && s.NetworkMode == "" {
			usedNetworks["default"] = true
		}
		for k := range s.Networks {
			usedNetworks[k] = true
		}
	}
	netNames := map[string]string{}
	for key := range usedNetworks {
		n := p.Networks[key]
		if n == nil {
			n = &spec.Network{Key: key}
		}
		name := n.Name
		if name == "" {
			name = Name(ns, key)
		}
		netNames[key] = name
		if n.External {
			continue
		}
		driver := n.Driver
		if driver == "" || driver == "bridge" {
			driver = "overlay"
		}
		d.Networks = append(d.Networks, NetworkSpec{
			Name: name, Driver: driver, Labels: nsLabels(ns, n.Labels), Options: n.DriverOpts,
			Internal: n.Internal, Attachable: n.Attachable, Subnets: n.Subnets(),
		})
	}
	sort.Slice(d.Networks, func(i, j int) bool { return d.Networks[i].Name < d.Networks[j].Name })

	secretRefs, err := objects(ns, p.Secrets, func(s *spec.Secret) (string, string, string, string, bool) {
		return s.Key, s.Name, s.File, s.Environment, s.External
	}, func(s *spec.Secret) string { return s.Content }, &d.Secrets)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	configRefs, err := objects(ns, p.Configs, func(c *spec.Config) (string, string, string, string, bool) {
		return c.Key, c.Name, c.File, c.Environment, c.External
	}, func(c *spec.Config) string { return c.Content }, &d.Configs)
	if err != nil {
		return nil, fmt.Errorf("configs: %w", err)
	}

	jobs := p.AwaitedToComplete()
	for _, key := range p.ServiceNames() {
		s := p.Services[key]
		ss, notes := convertService(ns, s, netNames, secretRefs, configRefs, jobs[key], p.Volumes)
		d.Services[key] = ss
		d.Notes = append(d.Notes, notes...)
	}
	return d, nil
}

type objRef struct{ name string }

func objects[T any](ns string, m map[string]*T, fields func(*T) (key, name, file, env string, external bool), content func(*T) string, out *[]ObjectSpec) (map[string]objRef, error) {
	refs := map[string]objRef{}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		key, name, file, env, external := fields(m[k])
		if name == "" {
			name = Name(ns, key)
		}
		if external {
			refs[k] = objRef{name: name}
			continue
		}
		var data []byte
		switch {
		case file != "":
			b, err := os.ReadFile(file)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			data = b
		case env != "":
			v, ok := os.LookupEnv(env)
			if !ok {
				return nil, fmt.Errorf("%s: environment variable %s is not set", key, env)
			}
			data = []byte(v)
		default:
			data = []byte(content(m[k]))
		}
		sum := sha256.Sum256(data)
		h := hex.EncodeToString(sum[:])[:12]
		full := name + "_" + h
		if len(full) > 64 {
			full = full[len(full)-64:]
		}
		*out = append(*out, ObjectSpec{Name: full, Labels: nsLabels(ns, map[string]string{LabelContentHash: h}), Data: data})
		refs[k] = objRef{name: full}
	}
	return refs, nil
}

func convertService(ns string, s *spec.Service, netNames map[string]string, secrets, configs map[string]objRef, job bool, volumes map[string]*spec.Volume) (ServiceSpec, []Note) {
	var notes []Note
	note := func(key, action string, refused bool) {
		notes = append(notes, Note{Path: "services." + s.Name + "." + key, Pos: s.Pos(key), Action: action, Refused: refused})
	}
	ss := ServiceSpec{
		Name:            Name(ns, s.Name),
		Labels:          nsLabels(ns, map[string]string{LabelImage: s.Image}),
		Image:           s.Image,
		Command:         s.Entrypoint,
		Args:            s.Command,
		Dir:             s.WorkingDir,
		User:            s.User,
		Hostname:        s.Hostname,
		ContainerLabels: nsLabels(ns, s.Labels),
		Init:            s.Init,
		StopSignal:      s.StopSignal,
		StopGracePeriod: s.StopGracePeriod,
		ReadOnly:        s.ReadOnly,
		TTY:             s.Tty,
		OpenStdin:       s.StdinOpen,
		CapAdd:          s.CapAdd,
		CapDrop:         s.CapDrop,
		Sysctls:         s.Sysctls,
		DNS:             s.DNS,
		DNSSearch:       s.DNSSearch,
		DNSOptions:      s.DNSOpt,
	}
	for k, v := range s.Environment {
		ss.Env = append(ss.Env, k+"="+v)
	}
	sort.Strings(ss.Env)
	for _, h := range s.ExtraHosts {
		// "host:ip" (the ip may hold colons) becomes "ip host".
		if i := strings.Index(h, ":"); i > 0 {
			ss.Hosts = append(ss.Hosts, h[i+1:]+" "+h[:i])
		}
	}
	if hc := s.Healthcheck; hc != nil {
		if hc.Disable {
			ss.Healthcheck = &Healthcheck{Test: []string{"NONE"}}
		} else {
			ss.Healthcheck = &Healthcheck{Test: hc.Test, Interval: hc.Interval, Timeout: hc.Timeout, StartPeriod: hc.StartPeriod, Retries: hc.Retries}
			if hc.StartInterval != 0 {
				note("healthcheck.start_interval", "ignored: the swarm API 1.41 has no start interval; the interval applies from the start", false)
			}
		}
	}
	for i, m := range s.Volumes {
		sm := Mount{Type: m.Type, Target: m.Target, ReadOnly: m.ReadOnly}
		switch m.Type {
		case spec.MountVolume:
			if m.Source != "" {
				v := volumes[m.Source]
				sm.Source = Name(ns, m.Source)
				if v != nil && v.Name != "" {
					sm.Source = v.Name
				}
				if v == nil || !v.External {
					sm.VolumeLabels = nsLabels(ns, nil)
					if v != nil {
						for k, val := range v.Labels {
							sm.VolumeLabels[k] = val
						}
						if v.Driver != "" {
							sm.VolumeDriver = v.Driver
							sm.DriverOpts = v.DriverOpts
						}
					}
				}
			}
			sm.NoCopy = m.NoCopy
		case spec.MountBind:
			sm.Source = m.Source
			note(fmt.Sprintf("volumes[%d]", i), "handled: a bind mount reads the folder of the node a task runs on", false)
		case spec.MountTmpfs:
			sm.TmpfsSize = m.TmpfsSize
		}
		ss.Mounts = append(ss.Mounts, sm)
	}
	for _, r := range s.Secrets {
		target := r.Target
		if target == "" {
			target = r.Source
		}
		ss.Secrets = append(ss.Secrets, fileRef(secrets[r.Source].name, target, r))
	}
	for _, r := range s.Configs {
		target := r.Target
		if target == "" {
			target = "/" + r.Source
		}
		ss.Configs = append(ss.Configs, fileRef(configs[r.Source].name, target, r))
	}
	if s.NetworkMode != "" && s.NetworkMode != "bridge" {
		note("network_mode", "refused: a swarm service attaches to overlay networks only", true)
	}
	if len(s.Networks) == 0 && (s.NetworkMode == "" || s.NetworkMode == "bridge") {
		ss.Networks = []NetworkAttachment{{Target: netNames["default"], Aliases: []string{s.Name}}}
	}
	for _, key := range sortedKeys(s.Networks) {
		a := NetworkAttachment{Target: netNames[key], Aliases: []string{s.Name}}
		if sn := s.Networks[key]; sn != nil {
			a.Aliases = append(a.Aliases, sn.Aliases...)
			if sn.IPv4Address != "" {
				note("networks."+key+".ipv4_address", "ignored: a swarm assigns task addresses", false)
			}
		}
		ss.Networks = append(ss.Networks, a)
	}
	sort.Slice(ss.Networks, func(i, j int) bool { return ss.Networks[i].Target < ss.Networks[j].Target })
	for i, p := range s.Ports {
		proto := p.Protocol
		if proto == "" {
			proto = "tcp"
		}
		if p.HostIP != "" {
			where := "every interface of every node"
			if p.Mode == spec.PortModeHost {
				where = "every interface of the nodes its tasks run on"
			}
			note(fmt.Sprintf("ports[%d]", i), "ignored host_ip "+p.HostIP+": a swarm publishes on "+where, false)
		}
		mode := PortIngress
		if p.Mode == spec.PortModeHost {
			mode = PortHost
		}
		lo, hi := portRange(p.HostPort)
		if hi > lo {
			for n := lo; n <= hi; n++ {
				ss.Ports = append(ss.Ports, Port{Protocol: proto, Target: uint32(p.ContainerPort) + n - lo, Published: n, Mode: mode})
			}
			continue
		}
		ss.Ports = append(ss.Ports, Port{Protocol: proto, Target: uint32(p.ContainerPort), Published: lo, Mode: mode})
	}

	replicas := uint64(s.Replicas)
	ss.Replicas = &replicas
	ss.Mode = ModeReplicated
	ss.Restart = restartPolicy(s.Restart)
	if job {
		ss.Mode = ModeReplicatedJob
		if ss.Restart == nil || ss.Restart.Condition == RestartAny {
			ss.Restart = &RestartPolicy{Condition: RestartOnFailure}
		}
	}
	if dep := s.Deploy; dep != nil {
		notes = append(notes, applyDeploy(&ss, s, dep, job)...)
	}
	if s.Resources.CPUs > 0 {
		ss.LimitNanoCPUs = int64(s.Resources.CPUs * 1e9)
	}
	ss.LimitMemoryBytes = s.Resources.MemoryBytes
	ss.ReserveMemoryBytes = s.MemReservation
	if s.Logging != nil {
		ss.LogDriver = s.Logging.Driver
		ss.LogOptions = s.Logging.Options
	}
	if len(s.Resources.GPUs) > 0 {
		note("deploy.resources.reservations.devices", "refused: swarm reserves generic resources, not device requests", true)
	}

	refuse := func(set bool, key, why string) {
		if set {
			note(key, "refused: "+why, true)
		}
	}
	ignore := func(set bool, key, why string) {
		if set {
			note(key, "ignored: "+why, false)
		}
	}
	refuse(s.Privileged, "privileged", "swarm services cannot be privileged")
	refuse(len(s.Devices) > 0, "devices", "swarm services cannot map host devices")
	refuse(s.Ipc != "", "ipc", "swarm services cannot share an IPC namespace")
	refuse(s.Pid != "", "pid", "swarm services cannot share a PID namespace")
	refuse(len(s.VolumesFrom) > 0, "volumes_from", "a task cannot mount another container's volumes")
	refuse(len(s.Links) > 0, "links", "use the service name on a shared network")
	refuse(len(s.ExternalLinks) > 0, "external_links", "use a shared network")
	refuse(len(s.SecurityOpt) > 0, "security_opt", "the swarm API 1.41 has no security options")
	refuse(s.Provider != nil, "provider", "a provider service runs a binary on this machine, not a task")
	refuse(len(s.PreStart) > 0, "pre_start", "a swarm runs no hooks around its tasks")
	refuse(len(s.PostStart) > 0, "post_start", "a swarm runs no hooks in its tasks")
	refuse(len(s.PreStop) > 0, "pre_stop", "a swarm runs no hooks in its tasks")
	ignore(s.Develop != nil, "develop", "stack watch works on the containers of stack up, not on swarm tasks")
	ignore(s.Build != nil, "build", "deploy runs the image as named: build it first (stack deploy --build builds it, and pushes it to the registry its name has)")
	ignore(s.ContainerName != "", "container_name", "swarm names the tasks")
	ignore(len(s.Ulimits) > 0, "ulimits", "the swarm API 1.41 has no ulimits")
	ignore(s.PidsLimit != 0, "pids_limit", "the swarm API 1.41 has no pids limit")
	ignore(len(s.Expose) > 0, "expose", "services reach each other's ports on shared networks")
	ignore(s.ShmSize != 0, "shm_size", "the swarm API 1.41 has no shm size")
	ignore(len(s.Tmpfs) > 0, "tmpfs", "use a tmpfs volume")
	ignore(s.PullPolicy != "", "pull_policy", "each node pulls the image")
	ignore(len(s.Profiles) > 0, "profiles", "the active profiles select the services deployed")
	for _, dep := range sortedKeys(s.DependsOn) {
		c := s.DependsOn[dep]
		if c.Restart {
			note("depends_on."+dep+".restart", "ignored: a swarm does not restart dependents", false)
		}
		if c.Condition != spec.ConditionStarted && c.Condition != "" {
			note("depends_on."+dep+".condition", "handled: deploy creates "+s.Name+" after "+dep+" is "+conditionWord(c.Condition), false)
		}
	}
	sort.Slice(notes, func(i, j int) bool { return notes[i].Path < notes[j].Path })
	return ss, notes
}

func conditionWord(c string) string {
	if c == spec.ConditionCompleted {
		return "complete (a replicated job)"
	}
	return "healthy"
}

func fileRef(name, target string, r spec.FileRef) FileRef {
	f := FileRef{Name: name, Target: target, UID: r.UID, GID: r.GID, Mode: 0o444}
	if f.UID == "" {
		f.UID = "0"
	}
	if f.GID == "" {
		f.GID = "0"
	}
	if r.Mode != nil {
		f.Mode = *r.Mode
	}
	return f
}

func portRange(s string) (uint32, uint32) {
	lo, hi, _ := strings.Cut(s, "-")
	a, _ := strconv.ParseUint(lo, 10, 16)
	if hi == "" {
		return uint32(a), uint32(a)
	}
	b, _ := strconv.ParseUint(hi, 10, 16)
	return uint32(a), uint32(b)
}

func restartPolicy(r string) *RestartPolicy {
	switch {
	case r == "":
		return nil
	case r == "no":
		return &RestartPolicy{Condition: RestartNone}
	case r == "always" || r == "unless-stopped":
		return &RestartPolicy{Condition: RestartAny}
	case strings.HasPrefix(r, "on-failure"):
		p := &RestartPolicy{Condition: RestartOnFailure}
		if _, n, ok := strings.Cut(r, ":"); ok {
			if v, err := strconv.ParseUint(n, 10, 64); err == nil {
				p.MaxAttempts = &v
			}
		}
		return p
	}
	return nil
}

// Hash is the hash of a service spec stack deploys, kept in LabelSpecHash.
func Hash(s ServiceSpec) string {
	s.Labels = copyWithout(s.Labels, LabelSpecHash)
	b, _ := json.Marshal(s)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:16]
}

func copyWithout(m map[string]string, key string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// applyDeploy maps the deploy keys only a swarm reads.
func applyDeploy(ss *ServiceSpec, s *spec.Service, dep *spec.Deploy, job bool) []Note {
	var notes []Note
	note := func(key, action string, refused bool) {
		notes = append(notes, Note{Path: "services." + s.Name + "." + key, Pos: s.Pos(key), Action: action, Refused: refused})
	}
	for k, v := range dep.Labels {
		ss.Labels[k] = v
	}
	switch dep.Mode {
	case "", ModeReplicated:
	case ModeGlobal:
		ss.Mode, ss.Replicas = ModeGlobal, nil
		if job {
			note("deploy.mode", "refused: a service others wait to complete must be a job, not global", true)
		}
	case ModeReplicatedJob:
		ss.Mode = ModeReplicatedJob
	case ModeGlobalJob:
		ss.Mode, ss.Replicas = ModeGlobalJob, nil
	default:
		note("deploy.mode", "refused: unknown mode "+strconv.Quote(dep.Mode), true)
	}
	switch dep.EndpointMode {
	case "", "vip", "dnsrr":
		ss.EndpointMode = dep.EndpointMode
		if dep.EndpointMode == "dnsrr" && len(ss.Ports) > 0 {
			for i := range ss.Ports {
				// A dnsrr service has no virtual IP for the routing mesh.
				ss.Ports[i].Mode = PortHost
			}
			note("deploy.endpoint_mode", "handled: a dnsrr service publishes its ports in host mode, on the nodes its tasks run on", false)
		}
	default:
		note("deploy.endpoint_mode", "refused: unknown endpoint mode "+strconv.Quote(dep.EndpointMode), true)
	}
	ss.Update = updateConfig(dep.UpdateConfig)
	ss.Rollback = updateConfig(dep.RollbackConfig)
	ss.Constraints = dep.Placement.Constraints
	ss.Preferences = dep.Placement.Preferences
	ss.MaxReplicas = dep.Placement.MaxReplicas
	if dep.RestartDelay != nil || dep.RestartWindow != nil {
		if ss.Restart == nil {
			ss.Restart = &RestartPolicy{Condition: RestartAny}
		}
		ss.Restart.Delay, ss.Restart.Window = dep.RestartDelay, dep.RestartWindow
	}
	return notes
}

func updateConfig(u *spec.UpdateConfig) *UpdateConfig {
	if u == nil {
		return nil
	}
	out := &UpdateConfig{Parallelism: 1, Delay: u.Delay, FailureAction: u.FailureAction, Monitor: u.Monitor, MaxFailureRatio: float32(u.MaxFailureRatio), Order: u.Order}
	if u.Parallelism != nil {
		out.Parallelism = *u.Parallelism
	}
	return out
}
