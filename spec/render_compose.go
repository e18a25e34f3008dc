package spec

import (
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
	cp := escapeInterpolation(toComposeProject(p))
	switch format {
	case "yaml", "":
		return cp.MarshalYAML()
	case "json":
		b, err := cp.MarshalJSON()
		if err != nil {
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
			for _, subnet := range n.Subnets {
				nc.Ipam.Config = append(nc.Ipam.Config, &types.IPAMPool{Subnet: subnet})
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
		w.Build = &types.BuildConfig{
			Context:    b.Context,
			Dockerfile: b.Dockerfile,
			Args:       types.NewMappingWithEquals(envList(b.Args)),
			Target:     b.Target,
			Labels:     types.Labels(emptyToNil(b.Labels)),
			NoCache:    b.NoCache,
			Tags:       types.StringList(b.Tags),
		}
		if len(b.Args) == 0 {
			w.Build.Args = nil
		}
	}
	if len(s.Environment) == 0 {
		c.Environment = nil
	}
	for _, port := range s.Ports {
		w.Ports = append(w.Ports, types.ServicePortConfig{
			Mode: "ingress", HostIP: port.HostIP, Target: uint32(port.ContainerPort),
			Published: port.HostPort, Protocol: port.protocol(),
		})
	}
	for _, m := range s.Volumes {
		v := types.ServiceVolumeConfig{Type: m.Type, Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly}
		switch m.Type {
		case MountBind:
			v.Bind = &types.ServiceVolumeBind{CreateHostPath: types.OptOut(m.CreateHostPath)}
		case MountTmpfs:
			if m.TmpfsSize > 0 {
				v.Tmpfs = &types.ServiceVolumeTmpfs{Size: types.UnitBytes(m.TmpfsSize)}
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
				})
			}
			cs.Deploy.Resources.Reservations = res
		}
		if s.Replicas != 1 {
			cs.Deploy.Replicas = intPtr(s.Replicas)
		}
	}
	hooksToCompose(&cs, s)
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
