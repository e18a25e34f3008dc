package spec

import (
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
		}
		for _, pool := range n.Ipam.Config {
			if pool != nil && pool.Subnet != "" {
				net.Subnets = append(net.Subnets, pool.Subnet)
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
		s.Build = &Build{
			Context:    b.Context,
			Dockerfile: b.Dockerfile,
			Args:       resolvedMapping(b.Args),
			Target:     b.Target,
			Labels:     emptyToNil(map[string]string(b.Labels)),
			NoCache:    b.NoCache,
			Tags:       append([]string(nil), b.Tags...),
		}
	}
	for _, port := range cs.Ports {
		if port.Target > 65535 {
			return nil, errorf(s.Pos("ports"), "services.%s.ports: container port %d out of range", name, port.Target)
		}
		s.Ports = append(s.Ports, Port{HostIP: port.HostIP, HostPort: port.Published, ContainerPort: uint16(port.Target), Protocol: port.Protocol})
	}
	for _, v := range cs.Volumes {
		m := Mount{Type: v.Type, Source: v.Source, Target: v.Target, ReadOnly: v.ReadOnly}
		if v.Bind != nil {
			m.CreateHostPath = bool(v.Bind.CreateHostPath)
		}
		if v.Tmpfs != nil {
			m.TmpfsSize = int64(v.Tmpfs.Size)
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
	hooksFromCompose(s, cs)
	return s, nil
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
