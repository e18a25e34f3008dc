package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// MarshalCompose prints the project in the compose-spec shape, as
// `docker compose config` does, in format "yaml" or "json". Secret values
// are never printed: inline secret content is left out.
func MarshalCompose(p *Project, format string) ([]byte, error) {
	cp := toComposeProject(p)
	if !p.Uninterpolated {
		cp = escapeInterpolation(cp)
	}
	switch format {
	case "yaml", "":
		return cp.MarshalYAML()
	case "json":
		b, err := cp.MarshalJSON()
		if err != nil {
			return nil, err
		}
		if b, err = lowerBlkioDeviceKeys(b); err != nil {
			return nil, err
		}
		return append(b, '\n'), nil
	default:
		return nil, fmt.Errorf("unknown format %q (want yaml or json)", format)
	}
}

// toComposeProject converts the model back into compose-go types; it is
// the inverse of fromComposeProject for everything the model holds.
func toComposeProject(p *Project) *types.Project {
	cp := &types.Project{
		Name:       p.Name,
		WorkingDir: p.WorkingDir,
		Services:   types.Services{},
	}
	for name, s := range p.Services {
		cs := toComposeService(s)
		// A dependency on a service left out by its profiles is not
		// required (Validate saw to that) and does nothing; printed, it
		// would name a service the file does not have.
		for dep := range cs.DependsOn {
			if _, ok := p.Services[dep]; !ok {
				delete(cs.DependsOn, dep)
			}
		}
		if len(cs.DependsOn) == 0 {
			cs.DependsOn = nil
		}
		cp.Services[name] = cs
	}
	if len(p.Networks) > 0 {
		cp.Networks = types.Networks{}
		for key, n := range p.Networks {
			nc := types.NetworkConfig{
				Name:       n.Name,
				Driver:     n.Driver,
				DriverOpts: types.Options(emptyToNil(n.DriverOpts)),
				External:   types.External(n.External),
				Internal:   n.Internal,
				Attachable: n.Attachable,
				Labels:     types.Labels(emptyToNil(n.Labels)),
			}
			if n.EnableIPv6 {
				nc.EnableIPv6 = boolPtr(true)
			}
			nc.EnableIPv4 = n.EnableIPv4
			nc.Ipam.Driver = n.IPAM.Driver
			nc.Ipam.Options = types.Options(emptyToNil(n.IPAM.Options))
			for _, pool := range n.IPAM.Pools {
				nc.Ipam.Config = append(nc.Ipam.Config, &types.IPAMPool{
					Subnet: pool.Subnet, Gateway: pool.Gateway, IPRange: pool.IPRange,
					AuxiliaryAddresses: types.Mapping(emptyToNil(pool.AuxAddresses)),
				})
			}
			cp.Networks[key] = nc
		}
	}
	if len(p.Volumes) > 0 {
		cp.Volumes = types.Volumes{}
		for key, v := range p.Volumes {
			cp.Volumes[key] = types.VolumeConfig{
				Name:       v.Name,
				Driver:     v.Driver,
				DriverOpts: types.Options(emptyToNil(v.DriverOpts)),
				External:   types.External(v.External),
				Labels:     types.Labels(emptyToNil(v.Labels)),
			}
		}
	}
	if len(p.Secrets) > 0 {
		cp.Secrets = types.Secrets{}
		for key, s := range p.Secrets {
			// Content stays empty: secret values are never printed.
			cp.Secrets[key] = types.SecretConfig{Name: s.Name, File: s.File, Environment: s.Environment, External: types.External(s.External)}
		}
	}
	if len(p.Configs) > 0 {
		cp.Configs = types.Configs{}
		for key, c := range p.Configs {
			cp.Configs[key] = types.ConfigObjConfig{Name: c.Name, File: c.File, Environment: c.Environment, Content: c.Content, External: types.External(c.External)}
		}
	}
	return cp
}

func toComposeService(s *Service) types.ServiceConfig {
	cs := types.ServiceConfig{
		Name:          s.Name,
		Profiles:      s.Profiles,
		Restart:       s.Restart,
		ContainerName: s.ContainerName,
	}
	if s.Replicas != 1 {
		cs.Scale = intPtr(s.Replicas)
	}
	c := &cs.ContainerSpec
	c.Image = s.Image
	c.PullPolicy = s.PullPolicy
	c.Platform = s.Platform
	c.Command = types.ShellCommand(s.Command)
	c.Entrypoint = types.ShellCommand(s.Entrypoint)
	c.Environment = types.NewMappingWithEquals(envList(s.Environment))
	c.WorkingDir = s.WorkingDir
	c.User = s.User
	c.Hostname = s.Hostname
	c.Labels = types.Labels(emptyToNil(s.Labels))
	c.StopSignal = s.StopSignal
	c.Init = s.Init
	c.ReadOnly = s.ReadOnly
	c.Privileged = s.Privileged
	c.CapAdd = s.CapAdd
	c.CapDrop = s.CapDrop
	c.SecurityOpt = s.SecurityOpt
	if s.StopGracePeriod != nil {
		d := types.Duration(*s.StopGracePeriod)
		c.StopGracePeriod = &d
	}
	w := &cs.WorkloadSpec
	w.Tty = s.Tty
	w.StdinOpen = s.StdinOpen
	w.Expose = types.StringOrNumberList(s.Expose)
	if b := s.Build; b != nil {
		w.Build = buildToCompose(b)
	}
	if len(s.Environment) == 0 {
		c.Environment = nil
	}
	for _, port := range s.Ports {
		mode := "ingress"
		if port.Mode != "" {
			mode = port.Mode
		}
		w.Ports = append(w.Ports, types.ServicePortConfig{
			Mode: mode, HostIP: port.HostIP, Target: uint32(port.ContainerPort),
			Published: port.HostPort, Protocol: port.protocol(),
		})
	}
	for _, m := range s.Volumes {
		v := types.ServiceVolumeConfig{Type: m.Type, Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly, Consistency: m.Consistency}
		switch m.Type {
		case MountBind:
			v.Bind = &types.ServiceVolumeBind{CreateHostPath: types.OptOut(m.CreateHostPath), Propagation: m.Propagation, SELinux: m.SELinux}
		case MountVolume:
			if m.NoCopy || m.Subpath != "" {
				v.Volume = &types.ServiceVolumeVolume{NoCopy: m.NoCopy, Subpath: m.Subpath}
			}
		case MountTmpfs:
			if m.TmpfsSize > 0 || m.TmpfsMode != 0 {
				v.Tmpfs = &types.ServiceVolumeTmpfs{Size: types.UnitBytes(m.TmpfsSize), Mode: m.TmpfsMode}
			}
		}
		c.Volumes = append(c.Volumes, v)
	}
	if len(s.Networks) > 0 {
		c.Networks = map[string]*types.ServiceNetworkConfig{}
		for key, n := range s.Networks {
			if n == nil || (len(n.Aliases) == 0 && n.IPv4Address == "") {
				c.Networks[key] = nil
				continue
			}
			c.Networks[key] = &types.ServiceNetworkConfig{Aliases: n.Aliases, Ipv4Address: n.IPv4Address}
		}
	}
	if len(s.ExtraHosts) > 0 {
		c.ExtraHosts = types.HostsList{}
		for _, entry := range s.ExtraHosts {
			host, ip, _ := strings.Cut(entry, ":")
			c.ExtraHosts[host] = append(c.ExtraHosts[host], ip)
		}
	}
	if len(s.DependsOn) > 0 {
		w.DependsOn = types.DependsOnConfig{}
		for dep, d := range s.DependsOn {
			w.DependsOn[dep] = types.ServiceDependency{Condition: d.Condition, Required: d.Required, Restart: d.Restart}
		}
	}
	if h := s.Healthcheck; h != nil {
		hc := &types.HealthCheckConfig{
			Test:          types.HealthCheckTest(h.Test),
			Interval:      durationPtr(h.Interval),
			Timeout:       durationPtr(h.Timeout),
			StartPeriod:   durationPtr(h.StartPeriod),
			StartInterval: durationPtr(h.StartInterval),
			Disable:       h.Disable,
		}
		if h.Retries != 0 {
			r := uint64(h.Retries)
			hc.Retries = &r
		}
		w.HealthCheck = hc
	}
	for _, ref := range s.Secrets {
		c.Secrets = append(c.Secrets, types.ServiceSecretConfig(toFileReference(ref)))
	}
	for _, ref := range s.Configs {
		c.Configs = append(c.Configs, types.ServiceConfigObjConfig(toFileReference(ref)))
	}
	r := s.Resources
	if r.CPUs != 0 || r.MemoryBytes != 0 || len(r.GPUs) > 0 {
		cs.Deploy = &types.DeployConfig{}
		if r.CPUs != 0 || r.MemoryBytes != 0 {
			cs.Deploy.Resources.Limits = &types.Resource{NanoCPUs: types.NanoCPUs(r.CPUs), MemoryBytes: types.UnitBytes(r.MemoryBytes)}
		}
		if len(r.GPUs) > 0 {
			res := &types.Resource{}
			for _, g := range r.GPUs {
				res.Devices = append(res.Devices, types.DeviceRequest{
					Driver: g.Driver, Count: types.DeviceCount(g.Count), IDs: g.DeviceIDs, Capabilities: g.Capabilities,
					Options: types.Mapping(emptyToNil(g.Options)),
				})
			}
			cs.Deploy.Resources.Reservations = res
		}
		if s.Replicas != 1 {
			cs.Deploy.Replicas = intPtr(s.Replicas)
		}
	}
	toComposeRuntime(&cs, s)
	hooksToCompose(&cs, s)
	toComposeDeploy(&cs, s.Deploy)
	cs.Develop = developToCompose(s.Develop)
	return cs
}

func toFileReference(r FileRef) types.FileReferenceConfig {
	out := types.FileReferenceConfig{Source: r.Source, Target: r.Target, UID: r.UID, GID: r.GID}
	if r.Mode != nil {
		m := types.FileMode(*r.Mode)
		out.Mode = &m
	}
	return out
}

func envList(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, k+"="+m[k])
	}
	return out
}

func durationPtr(d time.Duration) *types.Duration {
	if d == 0 {
		return nil
	}
	v := types.Duration(d)
	return &v
}

func intPtr(i int) *int    { return &i }
func boolPtr(b bool) *bool { return &b }

// escapeInterpolation returns a copy of cp with $ written as $$ in every
// string value, as `docker compose config` does, so the printed file
// interpolates back to the same values. Compose interpolates every value
// and no key, so keys stay as they are. It copies rather than edits: cp
// shares slices with the model.
func escapeInterpolation(cp *types.Project) *types.Project {
	return escapeStrings(reflect.ValueOf(cp)).Interface().(*types.Project)
}

func escapeStrings(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		out := reflect.New(v.Type()).Elem()
		out.SetString(strings.ReplaceAll(v.String(), "$", "$$"))
		return out
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return v
		}
		inner := escapeStrings(v.Elem())
		if v.Kind() == reflect.Interface {
			out := reflect.New(v.Type()).Elem()
			out.Set(inner)
			return out
		}
		out := reflect.New(inner.Type())
		out.Elem().Set(inner)
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(escapeStrings(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), escapeStrings(it.Value()))
		}
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v) // unexported fields too
		for i := range v.NumField() {
			if f := out.Field(i); f.CanSet() {
				f.Set(escapeStrings(v.Field(i)))
			}
		}
		return out
	}
	return v
}

// toComposeRuntime writes the namespace, device, kernel and tuning keys.
func toComposeRuntime(cs *types.ServiceConfig, s *Service) {
	c := &cs.ContainerSpec
	c.NetworkMode = s.NetworkMode
	if s.NetworkMode != "" && s.NetworkMode != "bridge" {
		c.Networks = nil
	}
	c.Ipc = s.Ipc
	c.Pid = s.Pid
	for _, v := range s.VolumesFrom {
		c.VolumesFrom = append(c.VolumesFrom, v.String())
	}
	cs.Links = s.Links
	cs.ExternalLinks = s.ExternalLinks
	c.UseAPISocket = s.UseAPISocket
	if s.PullRefreshAfter != 0 {
		c.PullRefreshAfter = s.PullRefreshAfter.String()
	}
	r := s.RuntimeOptions
	c.Uts = r.Uts
	c.UserNSMode = r.UsernsMode
	c.Cgroup = r.Cgroup
	c.CgroupParent = r.CgroupParent
	c.Isolation = r.Isolation
	c.Runtime = r.Runtime
	for _, d := range r.Devices {
		c.Devices = append(c.Devices, types.DeviceMapping{Source: d.Source, Target: d.Target, Permissions: d.Permissions})
	}
	c.DeviceCgroupRules = r.DeviceCgroupRules
	c.GroupAdd = r.GroupAdd
	c.ShmSize = types.UnitBytes(r.ShmSize)
	c.Tmpfs = types.StringList(r.Tmpfs)
	if len(r.Ulimits) > 0 {
		c.Ulimits = map[string]*types.UlimitsConfig{}
		for name, u := range r.Ulimits {
			if u.Soft == u.Hard {
				c.Ulimits[name] = &types.UlimitsConfig{Single: int(u.Soft)}
			} else {
				c.Ulimits[name] = &types.UlimitsConfig{Soft: int(u.Soft), Hard: int(u.Hard)}
			}
		}
	}
	c.Sysctls = types.Mapping(emptyToNil(r.Sysctls))
	c.StorageOpt = emptyToNil(r.StorageOpt)
	c.Annotations = types.Mapping(emptyToNil(r.Annotations))
	if l := r.Logging; l != nil {
		c.Logging = &types.LoggingConfig{Driver: l.Driver, Options: types.Options(emptyToNil(l.Options))}
	}
	c.DNS = types.StringList(r.DNS)
	c.DNSOpts = r.DNSOpt
	c.DNSSearch = types.StringList(r.DNSSearch)
	c.DomainName = r.DomainName
	c.MacAddress = r.MacAddress
	c.OomKillDisable = r.OomKillDisable
	c.OomScoreAdj = r.OomScoreAdj
	c.PidsLimit = r.PidsLimit
	if cs.Deploy != nil && cs.Deploy.Resources.Limits != nil {
		cs.Deploy.Resources.Limits.Pids = c.PidsLimit
		c.PidsLimit = 0
	}
	c.CPUCount = r.CPUCount
	c.CPUPercent = float32(r.CPUPercent)
	c.CPUPeriod = r.CPUPeriod
	c.CPUQuota = r.CPUQuota
	c.CPURTPeriod = r.CPURTPeriod
	c.CPURTRuntime = r.CPURTRuntime
	c.CPUShares = r.CPUShares
	c.CPUSet = r.CPUSet
	c.MemReservation = types.UnitBytes(r.MemReservation)
	// With a deploy reservation (GPUs), compose-go wants the memory there.
	if cs.Deploy != nil && cs.Deploy.Resources.Reservations != nil {
		cs.Deploy.Resources.Reservations.MemoryBytes = c.MemReservation
		c.MemReservation = 0
	}
	c.MemSwapLimit = types.UnitBytes(r.MemSwapLimit)
	c.MemSwappiness = types.UnitBytes(r.MemSwappiness)
	if b := r.Blkio; b != nil {
		out := &types.BlkioConfig{Weight: b.Weight}
		for _, w := range b.WeightDevice {
			out.WeightDevice = append(out.WeightDevice, types.WeightDevice{Path: w.Path, Weight: w.Weight})
		}
		throttle := func(in []ThrottleDevice) []types.ThrottleDevice {
			var o []types.ThrottleDevice
			for _, t := range in {
				o = append(o, types.ThrottleDevice{Path: t.Path, Rate: types.UnitBytes(t.Rate)})
			}
			return o
		}
		out.DeviceReadBps = throttle(b.DeviceReadBps)
		out.DeviceReadIOps = throttle(b.DeviceReadIOps)
		out.DeviceWriteBps = throttle(b.DeviceWriteBps)
		out.DeviceWriteIOps = throttle(b.DeviceWriteIOps)
		c.BlkioConfig = out
	}
}

// lowerBlkioDeviceKeys fixes compose-go's JSON of blkio_config devices,
// whose fields have no json tags ("Path", "Rate"): the compose schema, and
// so a reload of the printed file, wants "path", "rate" and "weight".
func lowerBlkioDeviceKeys(b []byte) ([]byte, error) {
	if !bytes.Contains(b, []byte(`"blkio_config"`)) {
		return b, nil
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	services, _ := doc["services"].(map[string]any)
	for _, svc := range services {
		blkio, _ := svc.(map[string]any)["blkio_config"].(map[string]any)
		for _, devices := range blkio {
			list, _ := devices.([]any)
			for i, d := range list {
				dev, _ := d.(map[string]any)
				lowered := map[string]any{}
				for k, v := range dev {
					lowered[strings.ToLower(k)] = v
				}
				list[i] = lowered
			}
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}
