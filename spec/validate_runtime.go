package spec

import (
	"fmt"
	"strconv"
	"strings"
)

var (
	validIpcModes    = map[string]bool{"": true, "host": true, "private": true, "shareable": true, "none": true}
	validPidModes    = map[string]bool{"": true, "host": true}
	validCgroupModes = map[string]bool{"": true, "host": true, "private": true}
	validUtsModes    = map[string]bool{"": true, "host": true}
)

// runtime checks the namespace modes and the keys that depend on them, as
// Compose and the daemon would reject them, before anything is created.
func (v *validator) runtime(s *Service) {
	v.namespaceMode(s, "network_mode", s.NetworkMode, nil)
	v.namespaceMode(s, "ipc", s.Ipc, validIpcModes)
	v.namespaceMode(s, "pid", s.Pid, validPidModes)
	v.namespaceMode(s, "uts", s.Uts, validUtsModes)
	if !validCgroupModes[s.Cgroup] {
		v.add(s, "cgroup", "service %q: invalid cgroup %q (want host or private)", s.Name, s.Cgroup)
	}
	if mode := s.NetworkMode; mode != "" {
		if len(s.Networks) > 0 {
			v.add(s, "networks", "service %q: network_mode %q and networks cannot be used together", s.Name, mode)
		}
		joins := strings.HasPrefix(mode, ServicePrefix) || strings.HasPrefix(mode, ContainerPrefix)
		if len(s.Ports) > 0 && (joins || mode == "none") {
			v.add(s, "ports", "service %q: ports cannot be published with network_mode %q (publish them on the container whose network it shares)", s.Name, mode)
		}
		if joins {
			for key, set := range map[string]bool{
				"hostname":    s.Hostname != "",
				"dns":         len(s.DNS) > 0,
				"dns_search":  len(s.DNSSearch) > 0,
				"dns_opt":     len(s.DNSOpt) > 0,
				"extra_hosts": len(s.ExtraHosts) > 0,
				"mac_address": s.MacAddress != "",
				"links":       len(s.Links) > 0,
			} {
				if set {
					v.add(s, key, "service %q: %s cannot be set with network_mode %q: the container shares the network of another", s.Name, key, mode)
				}
			}
		}
	}
	if s.NetworkMode == "host" || strings.HasPrefix(s.NetworkMode, ServicePrefix) || strings.HasPrefix(s.NetworkMode, ContainerPrefix) {
		for _, name := range sortedKeys(s.Sysctls) {
			if strings.HasPrefix(name, "net.") {
				v.add(s, "sysctls."+name, "service %q: sysctl %s cannot be set with network_mode %q: it belongs to a network namespace the service does not own", s.Name, name, s.NetworkMode)
			}
		}
	}
	for i, vf := range s.VolumesFrom {
		if vf.Service != "" {
			v.serviceRef(s, fmt.Sprintf("volumes_from[%d]", i), "volumes_from", vf.Service)
		}
	}
	for i, l := range s.Links {
		name, _, _ := strings.Cut(l, ":")
		v.serviceRef(s, fmt.Sprintf("links[%d]", i), "links", name)
	}
	for i, e := range s.Expose {
		if !validExpose(e) {
			v.add(s, fmt.Sprintf("expose[%d]", i), "service %q: expose %q is not a port or a range of ports (8080, 9000-9010, 53/udp)", s.Name, e)
		}
	}
	for i, d := range s.Devices {
		if !d.IsCDI() && !strings.HasPrefix(d.Source, "/") {
			v.add(s, fmt.Sprintf("devices[%d]", i), "service %q: device %q is neither a host path nor a CDI device name (vendor.com/class=name)", s.Name, d.Source)
		}
	}
	for name, u := range s.Ulimits {
		if u.Soft > u.Hard {
			v.add(s, "ulimits."+name, "service %q: ulimit %s: soft limit %d is above the hard limit %d", s.Name, name, u.Soft, u.Hard)
		}
	}
	if s.ShmSize < 0 || s.MemReservation < 0 || s.MemSwapLimit < -1 {
		v.add(s, "", "service %q: sizes cannot be negative", s.Name)
	}
	if s.MemSwappiness < 0 || s.MemSwappiness > 100 {
		v.add(s, "mem_swappiness", "service %q: mem_swappiness %d is not between 0 and 100", s.Name, s.MemSwappiness)
	}
	if s.OomScoreAdj < -1000 || s.OomScoreAdj > 1000 {
		v.add(s, "oom_score_adj", "service %q: oom_score_adj %d is not between -1000 and 1000", s.Name, s.OomScoreAdj)
	}
	if s.CPUPercent < 0 || s.CPUPercent > 100 {
		v.add(s, "cpu_percent", "service %q: cpu_percent %g is not between 0 and 100", s.Name, s.CPUPercent)
	}
	if l := s.Logging; l != nil && l.Driver == "none" && len(l.Options) > 0 {
		v.add(s, "logging.options", "service %q: the none log driver takes no options", s.Name)
	}
}

// warn reports a key that changes nothing, as a warning of the project.
func (v *validator) warn(s *Service, key string, format string, args ...any) {
	d := Diagnostic{Pos: s.Pos(key), Summary: fmt.Sprintf(format, args...), Warning: true}
	if d.Pos.File != "" && !isHCL(d.Pos.File) {
		d.KeyPath = "services." + s.Name + "." + key
	}
	v.p.Warnings = append(v.p.Warnings, d)
}

// namespaceMode checks a mode that may name another service or container;
// valid lists the plain modes (nil: any, for network_mode, which may also
// name a network).
func (v *validator) namespaceMode(s *Service, key, mode string, valid map[string]bool) {
	switch {
	case strings.HasPrefix(mode, ServicePrefix):
		v.serviceRef(s, key, key, ModeService(mode))
	case strings.HasPrefix(mode, ContainerPrefix):
		if strings.TrimPrefix(mode, ContainerPrefix) == "" {
			v.add(s, key, "service %q: %s %q names no container", s.Name, key, mode)
		}
	case valid != nil && !valid[mode]:
		var want []string
		for _, m := range sortedKeys(valid) {
			if m != "" {
				want = append(want, m)
			}
		}
		v.add(s, key, "service %q: invalid %s %q (want %s, service:NAME or container:NAME)", s.Name, key, mode, strings.Join(want, ", "))
	}
}

// serviceRef checks that key of s names another enabled service.
func (v *validator) serviceRef(s *Service, key, what, name string) {
	switch {
	case name == s.Name:
		v.add(s, key, "service %q: %s cannot name the service itself", s.Name, what)
	case v.p.Services[name] != nil:
	case v.p.Disabled[name] != nil:
		v.add(s, key, "service %q: %s names %q, which is disabled by its profiles", s.Name, what, name)
	default:
		v.add(s, key, "service %q: %s names unknown service %q", s.Name, what, name)
	}
}

func validExpose(e string) bool {
	ports, proto, ok := strings.Cut(e, "/")
	if ok && proto != "tcp" && proto != "udp" && proto != "sctp" {
		return false
	}
	first, last, isRange := strings.Cut(ports, "-")
	lo, err := strconv.Atoi(first)
	if err != nil || lo < 1 || lo > 65535 {
		return false
	}
	if !isRange {
		return true
	}
	hi, err := strconv.Atoi(last)
	return err == nil && hi >= lo && hi <= 65535
}
