package kube

import (
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"

	"github.com/stack-dev/stack/spec"
)

// runtimeSettings maps the namespace, device, kernel and tuning keys of a
// service onto its pod where Kubernetes has a counterpart, and refuses the
// others with the reason, as every key the export cannot keep.
func (x *exporter) runtimeSettings(s *spec.Service, c *corev1.Container, pod *corev1.PodSpec) {
	switch mode := s.NetworkMode; {
	case mode == "" || mode == "bridge":
	case mode == "host":
		pod.HostNetwork = true
		pod.DNSPolicy = corev1.DNSClusterFirstWithHostNet
	case strings.HasPrefix(mode, spec.ServicePrefix):
		x.refuse(s, "network_mode", "%q: containers share a network only inside one pod; run %s as a sidecar of that service's pod by hand", mode, s.Name)
	default:
		x.refuse(s, "network_mode", "%q has no counterpart: a pod always has its own network, or the node's (host)", mode)
	}
	for _, ns := range []struct {
		key, mode string
		host      *bool
	}{{"ipc", s.Ipc, &pod.HostIPC}, {"pid", s.Pid, &pod.HostPID}} {
		switch {
		case ns.mode == "" || ns.mode == "private" || ns.mode == "shareable":
		case ns.mode == "host":
			*ns.host = true
		default:
			x.refuse(s, ns.key, "%q: a namespace is shared only between the containers of one pod", ns.mode)
		}
	}
	if s.Uts != "" {
		x.refuse(s, "uts", "a pod has its own hostname namespace; host networking (network_mode host) comes closest")
	}
	if s.UsernsMode != "" && s.UsernsMode != "host" {
		x.refuse(s, "userns_mode", "%q has no counterpart", s.UsernsMode)
	}
	for i, v := range s.VolumesFrom {
		x.refuse(s, fmt.Sprintf("volumes_from[%d]", i), "%s: mount the volume itself (a claim) in both services", v)
	}
	for i, l := range s.Links {
		x.refuse(s, fmt.Sprintf("links[%d]", i), "%s: services reach each other by their Service names; use the service's name, or a network alias", l)
	}
	for i, l := range s.ExternalLinks {
		x.refuse(s, fmt.Sprintf("external_links[%d]", i), "%s: a container outside the stack is not in the cluster", l)
	}
	if s.UseAPISocket {
		x.refuse(s, "use_api_socket", "a pod has no Docker engine to talk to")
	}
	r := s.RuntimeOptions
	for i, d := range r.Devices {
		x.refuse(s, fmt.Sprintf("devices[%d]", i), "%s: a pod gets devices through a device plugin's resource, not a path", d)
	}
	for i := range r.DeviceCgroupRules {
		x.refuse(s, fmt.Sprintf("device_cgroup_rules[%d]", i), "a pod's device access is the device plugins'")
	}
	for i, g := range r.GroupAdd {
		gid, err := strconv.ParseInt(g, 10, 64)
		if err != nil {
			x.refuse(s, fmt.Sprintf("group_add[%d]", i), "%q: Kubernetes adds groups by number (supplementalGroups)", g)
			continue
		}
		podSecurity(pod).SupplementalGroups = append(podSecurity(pod).SupplementalGroups, gid)
	}
	if r.ShmSize > 0 {
		memoryDir(pod, c, "shm", "/dev/shm", r.ShmSize)
	}
	for i, t := range r.Tmpfs {
		path, opts, _ := strings.Cut(t, ":")
		var size int64
		for _, o := range strings.Split(opts, ",") {
			if v, ok := strings.CutPrefix(o, "size="); ok {
				q, err := resource.ParseQuantity(strings.TrimSuffix(strings.ToUpper(v), "B") + "i")
				if n, ok := q.AsInt64(); err == nil && ok {
					size = n
				}
			}
		}
		memoryDir(pod, c, fmt.Sprintf("tmpfs-%d", i), path, size)
	}
	for _, name := range sortedKeys(r.Sysctls) {
		podSecurity(pod).Sysctls = append(podSecurity(pod).Sysctls, corev1.Sysctl{Name: name, Value: r.Sysctls[name]})
	}
	if len(r.DNSSearch) > 0 || len(r.DNSOpt) > 0 {
		pod.DNSConfig = &corev1.PodDNSConfig{Searches: r.DNSSearch}
		for _, o := range r.DNSOpt {
			name, value, ok := strings.Cut(o, ":")
			opt := corev1.PodDNSConfigOption{Name: name}
			if ok {
				opt.Value = ptr.To(value)
			}
			pod.DNSConfig.Options = append(pod.DNSConfig.Options, opt)
		}
	}
	if len(r.DNS) > 0 {
		x.refuse(s, "dns", "other name servers would replace the cluster's DNS, by which services find each other")
	}
	if r.MemReservation > 0 {
		if c.Resources.Requests == nil {
			c.Resources.Requests = corev1.ResourceList{}
		}
		c.Resources.Requests[corev1.ResourceMemory] = *resource.NewQuantity(r.MemReservation, resource.BinarySI)
	}
	if r.Runtime != "" {
		x.refuse(s, "runtime", "%q: a cluster picks a runtime by RuntimeClass, which its admin defines; set runtimeClassName by hand", r.Runtime)
	}
	for key, set := range map[string]bool{
		"cgroup": r.Cgroup != "", "cgroup_parent": r.CgroupParent != "", "isolation": r.Isolation != "" && r.Isolation != "default",
		"ulimits": len(r.Ulimits) > 0, "storage_opt": len(r.StorageOpt) > 0, "logging": r.Logging != nil,
		"domainname": r.DomainName != "", "mac_address": r.MacAddress != "", "oom_kill_disable": r.OomKillDisable,
		"oom_score_adj": r.OomScoreAdj != 0, "pids_limit": r.PidsLimit != 0, "cpu_count": r.CPUCount != 0,
		"cpu_percent": r.CPUPercent != 0, "cpu_period": r.CPUPeriod != 0, "cpu_quota": r.CPUQuota != 0,
		"cpu_rt_period": r.CPURTPeriod != 0, "cpu_rt_runtime": r.CPURTRuntime != 0, "cpu_shares": r.CPUShares != 0,
		"cpuset": r.CPUSet != "", "memswap_limit": r.MemSwapLimit != 0, "mem_swappiness": r.MemSwappiness != 0,
		"blkio_config": r.Blkio != nil,
	} {
		if set {
			x.refuse(s, key, "a pod has no counterpart: the node's kubelet and runtime set it for every pod")
		}
	}
}

func podSecurity(pod *corev1.PodSpec) *corev1.PodSecurityContext {
	if pod.SecurityContext == nil {
		pod.SecurityContext = &corev1.PodSecurityContext{}
	}
	return pod.SecurityContext
}

// memoryDir mounts a memory-backed emptyDir, the pod's tmpfs.
func memoryDir(pod *corev1.PodSpec, c *corev1.Container, name, path string, size int64) {
	ed := &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}
	if size > 0 {
		ed.SizeLimit = resource.NewQuantity(size, resource.BinarySI)
	}
	pod.Volumes = append(pod.Volumes, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: ed}})
	c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: name, MountPath: path})
}
