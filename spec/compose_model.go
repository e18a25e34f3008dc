package spec

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// fromComposeProject maps a loaded compose-go project into the model.
func fromComposeProject(cp *types.Project, files []string, index *composeIndex) (*Project, error) {
	p := &Project{
		Name:       cp.Name,
		WorkingDir: cp.WorkingDir,
		Files:      append([]string(nil), files...),
		Services:   map[string]*Service{},
		Networks:   map[string]*Network{},
		Volumes:    map[string]*Volume{},
		Secrets:    map[string]*Secret{},
		Configs:    map[string]*Config{},
		Disabled:   map[string]*Service{},
	}
	for name, cs := range cp.Services {
		s, err := fromComposeService(name, cs, files[0], index)
		if err != nil {
			return nil, err
		}
		p.Services[name] = s
	}
	for name, cs := range cp.DisabledServices {
		s, err := fromComposeService(name, cs, files[0], index)
		if err != nil {
			return nil, err
		}
		p.Disabled[name] = s
	}
	for key, n := range cp.Networks {
		net := &Network{
			Key:        key,
			Name:       n.Name,
			External:   bool(n.External),
			Driver:     n.Driver,
			DriverOpts: emptyToNil(map[string]string(n.DriverOpts)),
			Labels:     emptyToNil(map[string]string(n.Labels)),
			Internal:   n.Internal,
			Attachable: n.Attachable,
			EnableIPv6: n.EnableIPv6 != nil && *n.EnableIPv6,
			EnableIPv4: n.EnableIPv4,
			IPAM:       IPAM{Driver: n.Ipam.Driver, Options: emptyToNil(map[string]string(n.Ipam.Options))},
		}
		for _, pool := range n.Ipam.Config {
			if pool != nil {
				net.IPAM.Pools = append(net.IPAM.Pools, IPAMPool{
					Subnet: pool.Subnet, Gateway: pool.Gateway, IPRange: pool.IPRange,
					AuxAddresses: emptyToNil(map[string]string(pool.AuxiliaryAddresses)),
				})
			}
		}
		p.Networks[key] = net
	}
	for key, v := range cp.Volumes {
		p.Volumes[key] = &Volume{
			Key:        key,
			Name:       v.Name,
			External:   bool(v.External),
			Driver:     v.Driver,
			DriverOpts: emptyToNil(map[string]string(v.DriverOpts)),
			Labels:     emptyToNil(map[string]string(v.Labels)),
		}
	}
	for key, s := range cp.Secrets {
		p.Secrets[key] = &Secret{Key: key, Name: s.Name, File: s.File, Environment: s.Environment, Content: s.Content, External: bool(s.External)}
	}
	for key, c := range cp.Configs {
		p.Configs[key] = &Config{Key: key, Name: c.Name, File: c.File, Environment: c.Environment, Content: c.Content, External: bool(c.External)}
	}
	return p, nil
}

func fromComposeService(name string, cs types.ServiceConfig, file string, index *composeIndex) (*Service, error) {
	s := &Service{
		Name:          name,
		Image:         cs.Image,
		PullPolicy:    cs.PullPolicy,
		Platform:      cs.Platform,
		Command:       nilIfNil(cs.Command),
		Entrypoint:    nilIfNil(cs.Entrypoint),
		Environment:   resolvedMapping(cs.Environment),
		WorkingDir:    cs.WorkingDir,
		User:          cs.User,
		Hostname:      cs.Hostname,
		Labels:        emptyToNil(map[string]string(cs.Labels)),
		Expose:        append([]string(nil), cs.Expose...),
		Restart:       cs.Restart,
		Replicas:      cs.GetScale(),
		ContainerName: cs.ContainerName,
		Profiles:      append([]string(nil), cs.Profiles...),
		StopSignal:    cs.StopSignal,
		Init:          cs.Init,
		ReadOnly:      cs.ReadOnly,
		Privileged:    cs.Privileged,
		CapAdd:        append([]string(nil), cs.CapAdd...),
		CapDrop:       append([]string(nil), cs.CapDrop...),
		SecurityOpt:   append([]string(nil), cs.SecurityOpt...),
		Tty:           cs.Tty,
		StdinOpen:     cs.StdinOpen,
		Positions:     index.servicePositions(name, file),
	}
	if len(s.Expose) == 0 {
		s.Expose = nil
	}
	if cs.StopGracePeriod != nil {
		d := time.Duration(*cs.StopGracePeriod)
		s.StopGracePeriod = &d
	}
	if b := cs.Build; b != nil {
		s.Build = buildFromCompose(b)
	}
	for _, port := range cs.Ports {
		if port.Target > 65535 {
			return nil, errorf(s.Pos("ports"), "services.%s.ports: container port %d out of range", name, port.Target)
		}
		mode := ""
		switch port.Mode {
		case "", "ingress":
		case PortModeHost:
			mode = PortModeHost
		default:
			key := fmt.Sprintf("ports[%d]", len(s.Ports))
			return nil, &Error{Diags: []Diagnostic{{Pos: s.Pos(key), KeyPath: "services." + name + "." + key + ".mode",
				Summary: fmt.Sprintf("%q is not a port mode: ingress (the default) or host", port.Mode)}}}
		}
		s.Ports = append(s.Ports, Port{HostIP: port.HostIP, HostPort: port.Published, ContainerPort: uint16(port.Target), Protocol: port.Protocol, Mode: mode})
	}
	for _, v := range cs.Volumes {
		m := Mount{Type: v.Type, Source: v.Source, Target: v.Target, ReadOnly: v.ReadOnly}
		m.Consistency = v.Consistency
		if v.Bind != nil {
			m.CreateHostPath = bool(v.Bind.CreateHostPath)
			m.Propagation = v.Bind.Propagation
			m.SELinux = v.Bind.SELinux
		}
		if v.Volume != nil {
			m.NoCopy = v.Volume.NoCopy
			m.Subpath = v.Volume.Subpath
		}
		if v.Tmpfs != nil {
			m.TmpfsSize = int64(v.Tmpfs.Size)
			m.TmpfsMode = v.Tmpfs.Mode
		}
		s.Volumes = append(s.Volumes, m)
	}
	if len(cs.Networks) > 0 {
		s.Networks = map[string]*ServiceNetwork{}
		for key, n := range cs.Networks {
			sn := &ServiceNetwork{}
			if n != nil {
				sn.Aliases = append([]string(nil), n.Aliases...)
				sn.IPv4Address = n.Ipv4Address
			}
			s.Networks[key] = sn
		}
	}
	for host, ips := range cs.ExtraHosts {
		for _, ip := range ips {
			s.ExtraHosts = append(s.ExtraHosts, host+":"+ip)
		}
	}
	sort.Strings(s.ExtraHosts)
	if len(cs.DependsOn) > 0 {
		s.DependsOn = map[string]Dependency{}
		for dep, d := range cs.DependsOn {
			cond := d.Condition
			if cond == "" {
				cond = ConditionStarted
			}
			s.DependsOn[dep] = Dependency{Condition: cond, Required: d.Required, Restart: d.Restart}
		}
	}
	if hc := cs.HealthCheck; hc != nil {
		h := &Healthcheck{
			Test:          append([]string(nil), hc.Test...),
			Interval:      durationOf(hc.Interval),
			Timeout:       durationOf(hc.Timeout),
			StartPeriod:   durationOf(hc.StartPeriod),
			StartInterval: durationOf(hc.StartInterval),
			Disable:       hc.Disable,
		}
		if hc.Retries != nil {
			h.Retries = int(*hc.Retries)
		}
		s.Healthcheck = h
	}
	for _, ref := range cs.Secrets {
		s.Secrets = append(s.Secrets, fileRef(types.FileReferenceConfig(ref)))
	}
	for _, ref := range cs.Configs {
		s.Configs = append(s.Configs, fileRef(types.FileReferenceConfig(ref)))
	}
	s.Resources = resourcesOf(cs)
	if err := runtimeOf(s, cs); err != nil {
		return nil, err
	}
	hooksFromCompose(s, cs)
	dev, err := developFromCompose(name, s, cs.Develop)
	if err != nil {
		return nil, err
	}
	s.Develop = dev
	return s, nil
}

// runtimeOf maps the namespace, device, kernel and tuning keys.
func runtimeOf(s *Service, cs types.ServiceConfig) error {
	s.NetworkMode = cs.NetworkMode
	if s.NetworkMode == "" && cs.Net != "" {
		s.NetworkMode = cs.Net // the Compose file format 1 name
	}
	s.Ipc = cs.Ipc
	s.Pid = cs.Pid
	for i, v := range cs.VolumesFrom {
		vf, ok := ParseVolumesFrom(v)
		if !ok {
			return errorf(s.Pos(fmt.Sprintf("volumes_from[%d]", i)), "services.%s.volumes_from[%d]: invalid entry %q (want service[:ro|:rw] or container:name[:ro|:rw])", s.Name, i, v)
		}
		s.VolumesFrom = append(s.VolumesFrom, vf)
	}
	s.Links = append([]string(nil), cs.Links...)
	s.ExternalLinks = append([]string(nil), cs.ExternalLinks...)
	s.UseAPISocket = cs.UseAPISocket
	if cs.PullRefreshAfter != "" {
		d, err := parseDuration(cs.PullRefreshAfter)
		if err != nil || d <= 0 {
			return errorf(s.Pos("pull_refresh_after"), "services.%s.pull_refresh_after: invalid duration %q", s.Name, cs.PullRefreshAfter)
		}
		s.PullRefreshAfter = d
	}

	s.Deploy = fromComposeDeploy(cs)
	r := &s.RuntimeOptions
	// deploy.restart_policy wins over restart, as in Compose.
	if cs.Deploy != nil && cs.Deploy.RestartPolicy != nil {
		rp := cs.Deploy.RestartPolicy
		switch rp.Condition {
		case "none", "no":
			s.Restart = "no"
		case "any", "always", "":
			s.Restart = "always"
		case "on-failure":
			s.Restart = "on-failure"
			if rp.MaxAttempts != nil && *rp.MaxAttempts > 0 {
				s.Restart = fmt.Sprintf("on-failure:%d", *rp.MaxAttempts)
			}
		default:
			s.Restart = rp.Condition // validation names it
		}
	}
	r.Uts = cs.Uts
	r.UsernsMode = cs.UserNSMode
	r.Cgroup = cs.Cgroup
	r.CgroupParent = cs.CgroupParent
	r.Isolation = cs.Isolation
	r.Runtime = cs.Runtime
	for _, d := range cs.Devices {
		r.Devices = append(r.Devices, Device{Source: d.Source, Target: d.Target, Permissions: d.Permissions})
	}
	r.DeviceCgroupRules = append([]string(nil), cs.DeviceCgroupRules...)
	r.GroupAdd = append([]string(nil), cs.GroupAdd...)
	r.ShmSize = int64(cs.ShmSize)
	r.Tmpfs = append([]string(nil), cs.Tmpfs...)
	if len(cs.Ulimits) > 0 {
		r.Ulimits = map[string]Ulimit{}
		for name, u := range cs.Ulimits {
			if u == nil {
				continue
			}
			if u.Single != 0 {
				r.Ulimits[name] = Ulimit{Soft: int64(u.Single), Hard: int64(u.Single)}
			} else {
				r.Ulimits[name] = Ulimit{Soft: int64(u.Soft), Hard: int64(u.Hard)}
			}
		}
	}
	r.Sysctls = emptyToNil(map[string]string(cs.Sysctls))
	r.StorageOpt = emptyToNil(cs.StorageOpt)
	r.Annotations = emptyToNil(map[string]string(cs.Annotations))
	switch {
	case cs.Logging != nil:
		r.Logging = &Logging{Driver: cs.Logging.Driver, Options: emptyToNil(map[string]string(cs.Logging.Options))}
	case cs.LogDriver != "" || len(cs.LogOpt) > 0:
		r.Logging = &Logging{Driver: cs.LogDriver, Options: emptyToNil(cs.LogOpt)}
	}
	r.DNS = append([]string(nil), cs.DNS...)
	r.DNSOpt = append([]string(nil), cs.DNSOpts...)
	r.DNSSearch = append([]string(nil), cs.DNSSearch...)
	r.DomainName = cs.DomainName
	r.MacAddress = cs.MacAddress
	r.OomKillDisable = cs.OomKillDisable
	r.OomScoreAdj = cs.OomScoreAdj
	r.PidsLimit = cs.PidsLimit
	r.CPUCount = cs.CPUCount
	r.CPUPercent = roundCPUs(cs.CPUPercent)
	r.CPUPeriod = cs.CPUPeriod
	r.CPUQuota = cs.CPUQuota
	r.CPURTPeriod = cs.CPURTPeriod
	r.CPURTRuntime = cs.CPURTRuntime
	r.CPUShares = cs.CPUShares
	r.CPUSet = cs.CPUSet
	r.MemReservation = int64(cs.MemReservation)
	r.MemSwapLimit = int64(cs.MemSwapLimit)
	r.MemSwappiness = int64(cs.MemSwappiness)
	if b := cs.BlkioConfig; b != nil {
		bl := &Blkio{Weight: b.Weight}
		for _, w := range b.WeightDevice {
			bl.WeightDevice = append(bl.WeightDevice, WeightDevice{Path: w.Path, Weight: w.Weight})
		}
		throttle := func(in []types.ThrottleDevice) []ThrottleDevice {
			var out []ThrottleDevice
			for _, t := range in {
				out = append(out, ThrottleDevice{Path: t.Path, Rate: int64(t.Rate)})
			}
			return out
		}
		bl.DeviceReadBps = throttle(b.DeviceReadBps)
		bl.DeviceReadIOps = throttle(b.DeviceReadIOps)
		bl.DeviceWriteBps = throttle(b.DeviceWriteBps)
		bl.DeviceWriteIOps = throttle(b.DeviceWriteIOps)
		r.Blkio = bl
	}
	// deploy.resources win over the service-level keys, as in Compose.
	if cs.Deploy != nil {
		if res := cs.Deploy.Resources.Reservations; res != nil && res.MemoryBytes != 0 {
			r.MemReservation = int64(res.MemoryBytes)
		}
		if l := cs.Deploy.Resources.Limits; l != nil && l.Pids != 0 {
			r.PidsLimit = l.Pids
		}
	}
	nilIfEmpty(&s.Links)
	nilIfEmpty(&s.ExternalLinks)
	nilIfEmpty(&r.DeviceCgroupRules)
	nilIfEmpty(&r.GroupAdd)
	nilIfEmpty(&r.Tmpfs)
	nilIfEmpty(&r.DNS)
	nilIfEmpty(&r.DNSOpt)
	nilIfEmpty(&r.DNSSearch)
	return nil
}

func nilIfEmpty(l *[]string) {
	if len(*l) == 0 {
		*l = nil
	}
}

// resourcesOf merges the service-level cpus/mem_limit/gpus with
// deploy.resources, the deploy section winning as in Compose.
func resourcesOf(cs types.ServiceConfig) Resources {
	r := Resources{CPUs: roundCPUs(cs.CPUS), MemoryBytes: int64(cs.MemLimit)}
	for _, d := range cs.Gpus {
		r.GPUs = append(r.GPUs, deviceRequest(d, true))
	}
	if cs.Deploy == nil {
		return r
	}
	if l := cs.Deploy.Resources.Limits; l != nil {
		if l.NanoCPUs != 0 {
			r.CPUs = roundCPUs(float32(l.NanoCPUs))
		}
		if l.MemoryBytes != 0 {
			r.MemoryBytes = int64(l.MemoryBytes)
		}
	}
	if res := cs.Deploy.Resources.Reservations; res != nil {
		for _, d := range res.Devices {
			r.GPUs = append(r.GPUs, deviceRequest(d, false))
		}
	}
	return r
}

// roundCPUs undoes float32 noise: 0.5 stays 0.5, not 0.5000000001.
func roundCPUs(f float32) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'f', -1, 32), 64)
	return v
}

// deviceRequest maps a compose device request. With `gpus:` Compose defaults
// the capability to gpu; a zero count with no ids means all devices.
func deviceRequest(d types.DeviceRequest, gpusKey bool) DeviceRequest {
	out := DeviceRequest{
		Driver:       d.Driver,
		Count:        int(d.Count),
		DeviceIDs:    append([]string(nil), d.IDs...),
		Capabilities: append([]string(nil), d.Capabilities...),
		Options:      emptyToNil(map[string]string(d.Options)),
	}
	if gpusKey && len(out.Capabilities) == 0 {
		out.Capabilities = []string{"gpu"}
	}
	if out.Count == 0 && len(out.DeviceIDs) == 0 {
		out.Count = -1
	}
	return out
}

func fileRef(r types.FileReferenceConfig) FileRef {
	out := FileRef{Source: r.Source, Target: r.Target, UID: r.UID, GID: r.GID}
	if r.Mode != nil {
		m := uint32(*r.Mode)
		out.Mode = &m
	}
	return out
}

func durationOf(d *types.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return time.Duration(*d)
}

// resolvedMapping drops variables without a value, as Compose does when
// they are not set in the environment either.
func resolvedMapping(m types.MappingWithEquals) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := map[string]string{}
	for k, v := range m {
		if v != nil {
			out[k] = *v
		}
	}
	return emptyToNil(out)
}

func emptyToNil(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func nilIfNil(c types.ShellCommand) []string {
	if c == nil {
		return nil
	}
	return append([]string{}, c...)
}
