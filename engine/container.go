package engine

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stack-dev/stack/spec"
)

// ContainerName is the Docker name of replica number of a service:
// container_name if set, else "<project>-<service>-<number>".
func ContainerName(p *spec.Project, s *spec.Service, number int) string {
	if s.ContainerName != "" {
		return s.ContainerName
	}
	return fmt.Sprintf("%s-%s-%d", p.Name, s.Name, number)
}

// containerSpec builds the Docker spec of replica number of service s, whose
// image resolved to imageID. Everything that would make a container differ
// goes in here, since its hash decides recreation.
func containerSpec(p *spec.Project, s *spec.Service, number int, imageID string) ContainerSpec {
	name := ContainerName(p, s, number)
	labels := map[string]string{}
	for k, v := range s.Labels {
		labels[k] = v
	}
	for k, v := range projectLabels(p) {
		labels[k] = v
	}
	labels[LabelService] = s.Name
	labels[LabelNumber] = strconv.Itoa(number)
	labels[LabelOneoff] = "False"
	labels[LabelImageID] = imageID
	labels[LabelRestart] = restartOrNo(s.Restart)
	if deps := dependsOnLabel(s); deps != "" {
		labels[LabelComposeDepsOn] = deps
	}

	cs := ContainerSpec{
		Name:        name,
		Image:       ImageName(p, s),
		Cmd:         s.Command,
		Entrypoint:  s.Entrypoint,
		Env:         envList(s.Environment),
		Labels:      labels,
		User:        s.User,
		WorkingDir:  s.WorkingDir,
		Hostname:    s.Hostname,
		Tty:         s.Tty,
		OpenStdin:   s.StdinOpen,
		ExtraHosts:  s.ExtraHosts,
		StopSignal:  s.StopSignal,
		StopTimeout: s.StopGracePeriod,
		Init:        s.Init,
		ReadOnly:    s.ReadOnly,
		Privileged:  s.Privileged,
		CapAdd:      s.CapAdd,
		CapDrop:     s.CapDrop,
		SecurityOpt: s.SecurityOpt,
		Memory:      s.Resources.MemoryBytes,
		NanoCPUs:    int64(math.Round(s.Resources.CPUs * 1e9)),
		Platform:    s.Platform,
	}
	cs.RestartPolicy, cs.RestartMax = restartPolicy(s.Restart)
	if s.Restart == "" {
		cs.RestartPolicy = "" // unset, as Compose sends it: the daemon's "no"
	}
	for _, g := range s.Resources.GPUs {
		cs.GPUs = append(cs.GPUs, DeviceRequest(g))
	}
	for _, port := range s.Expose {
		cs.ExposedPorts = append(cs.ExposedPorts, exposedPorts(port)...)
	}
	for _, port := range s.Ports {
		proto := port.Protocol
		if proto == "" {
			proto = "tcp"
		}
		cs.Ports = append(cs.Ports, PortBinding{
			HostIP:        port.HostIP,
			HostPort:      port.HostPort,
			ContainerPort: port.ContainerPort,
			Protocol:      proto,
		})
	}
	for _, m := range s.Volumes {
		source := m.Source
		if m.Type == spec.MountVolume && source != "" {
			if v := p.Volumes[source]; v != nil {
				source = v.Name
			}
		}
		cs.Mounts = append(cs.Mounts, Mount{
			Type:        m.Type,
			Source:      source,
			Target:      m.Target,
			ReadOnly:    m.ReadOnly,
			TmpfsSize:   m.TmpfsSize,
			NoCopy:      m.NoCopy,
			Subpath:     m.Subpath,
			Propagation: m.Propagation,
			SELinux:     m.SELinux,
			Consistency: m.Consistency,
			TmpfsMode:   m.TmpfsMode,
		})
	}
	for _, ref := range s.Secrets {
		if sec := p.Secrets[ref.Source]; sec != nil {
			addFileRef(&cs, ref, "/run/secrets/", sec.File, sec.Content)
		}
	}
	for _, ref := range s.Configs {
		if cfg := p.Configs[ref.Source]; cfg != nil {
			addFileRef(&cs, ref, "/", cfg.File, cfg.Content)
		}
	}
	setRuntime(&cs, s)
	for _, key := range serviceNetworkKeys(s) {
		net := p.Networks[key]
		netName := key
		if net != nil {
			netName = net.Name
		}
		attach := NetworkAttachment{Network: netName, Aliases: []string{s.Name}}
		if sn := s.Networks[key]; sn != nil {
			attach.Aliases = append(attach.Aliases, sn.Aliases...)
			attach.IPv4Address = sn.IPv4Address
		}
		cs.Networks = append(cs.Networks, attach)
	}
	if hc := s.Healthcheck; hc != nil {
		if hc.Disable {
			cs.Healthcheck = &Healthcheck{Test: []string{"NONE"}}
		} else {
			cs.Healthcheck = &Healthcheck{
				Test:          hc.Test,
				Interval:      hc.Interval,
				Timeout:       hc.Timeout,
				StartPeriod:   hc.StartPeriod,
				StartInterval: hc.StartInterval,
				Retries:       hc.Retries,
			}
		}
	}
	hookSpec(s, &cs)
	return cs
}

// addFileRef gives the container a secret or config as a file, as Compose
// does without swarm: a file source is bind-mounted read-only, inline
// content is written into the container before it starts.
func addFileRef(cs *ContainerSpec, ref spec.FileRef, dir, file, content string) {
	target := ref.Target
	if target == "" {
		target = ref.Source
	}
	if !strings.HasPrefix(target, "/") {
		target = dir + target
	}
	if file != "" {
		cs.Mounts = append(cs.Mounts, Mount{Type: spec.MountBind, Source: file, Target: target, ReadOnly: true})
		return
	}
	f := ContainerFile{Path: target, Content: []byte(content)}
	if ref.Mode != nil {
		f.Mode = *ref.Mode
	}
	f.UID, _ = strconv.Atoi(ref.UID)
	f.GID, _ = strconv.Atoi(ref.GID)
	cs.Files = append(cs.Files, f)
}

// serviceNetworkKeys returns the service's network keys, sorted, with
// "default" for a service that names none and has no network_mode.
func serviceNetworkKeys(s *spec.Service) []string {
	if s.NetworkMode != "" {
		return nil
	}
	if len(s.Networks) == 0 {
		return []string{"default"}
	}
	return sortedKeys(s.Networks)
}

// projectLabels are the labels every object of the project carries.
func projectLabels(p *spec.Project) map[string]string {
	labels := map[string]string{
		LabelProject:     p.Name,
		LabelManaged:     "true",
		LabelWorkingDir:  p.WorkingDir,
		LabelConfigFiles: strings.Join(p.Files, ","),
	}
	for k, v := range p.Labels {
		labels[k] = v
	}
	return labels
}

func envList(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

func restartOrNo(r string) string {
	if r == "" {
		return "no"
	}
	return r
}

// restartPolicy splits "on-failure:3" into its name and maximum.
func restartPolicy(r string) (string, int) {
	name, max, ok := strings.Cut(restartOrNo(r), ":")
	if !ok {
		return name, 0
	}
	n, _ := strconv.Atoi(max)
	return name, n
}

// stopTimeout is the grace period for stopping a service's containers:
// the -t flag if given, else the service's stop_grace_period.
func stopTimeout(flag *time.Duration, s *spec.Service) *time.Duration {
	if flag != nil {
		return flag
	}
	if s != nil {
		return s.StopGracePeriod
	}
	return nil
}

// exposedPorts turns an expose entry ("8080", "9000-9002/udp") into
// Docker's "port/proto" list; a range exposes each of its ports, as in
// Compose. Validation has rejected entries that are not ports.
func exposedPorts(entry string) []string {
	ports, proto, ok := strings.Cut(entry, "/")
	if !ok {
		proto = "tcp"
	}
	first, last, isRange := strings.Cut(ports, "-")
	lo, err1 := strconv.Atoi(first)
	hi, err2 := strconv.Atoi(last)
	if !isRange || err1 != nil || err2 != nil || hi < lo {
		return []string{ports + "/" + proto}
	}
	out := make([]string, 0, hi-lo+1)
	for p := lo; p <= hi; p++ {
		out = append(out, strconv.Itoa(p)+"/"+proto)
	}
	return out
}
