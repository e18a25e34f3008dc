package lint

import (
	"fmt"
	"path"
	"strings"

	"github.com/stack-dev/stack/spec"
)

// Rule IDs, stable: people filter and suppress by them.
const (
	RuleRootUser      = "root-user"
	RulePrivileged    = "privileged"
	RuleDockerSocket  = "docker-socket"
	RuleUnpinnedImage = "unpinned-image"
	RuleSecretInEnv   = "secret-in-env"
	RulePublicPort    = "port-all-interfaces"
	RuleDangerousCap  = "dangerous-capability"
	RuleUnconfined    = "unconfined"
	RuleHostNamespace = "host-namespace"
	RuleHostDevice    = "host-device"
)

// Rule describes one check.
type Rule struct {
	ID      string
	Summary string
	check   func(c *checker, s *spec.Service) []Finding
}

// rules run in this order on every service.
var rules = []Rule{
	{RuleRootUser, "the container runs as root (no user, or user root/0)", checkUser},
	{RulePrivileged, "privileged: true gives the container the host's devices and kernel", checkPrivileged},
	{RuleDockerSocket, "the Docker socket is mounted, which is root on the host", checkDockerSocket},
	{RuleUnpinnedImage, "an image without a tag or digest, or with :latest", checkImageTag},
	{RuleSecretInEnv, "a secret written as a literal in environment", checkSecrets},
	{RulePublicPort, "a host port published on all interfaces", checkPorts},
	{RuleDangerousCap, "cap_add of ALL, SYS_ADMIN, SYS_MODULE or SYS_RAWIO", checkCapabilities},
	{RuleUnconfined, "security_opt turning off seccomp, AppArmor or SELinux", checkSecurityOpts},
	{RuleHostNamespace, "network_mode, pid, ipc, uts or userns_mode host: the container shares the host's", checkHostNamespaces},
	{RuleHostDevice, "devices mapped from the host, or device_cgroup_rules allowing them", checkDevices},
}

// Rules lists the checks, for help texts.
func Rules() []Rule {
	return append([]Rule(nil), rules...)
}

func checkUser(c *checker, s *spec.Service) []Finding {
	const fix = `set user to an unprivileged uid:gid, e.g. "1000:1000"`
	if s.User != "" {
		if isRoot(s.User) {
			return []Finding{c.finding(s, RuleRootUser, "user", fmt.Sprintf("runs as root (user %q)", s.User), fix)}
		}
		return nil
	}
	if c.opts.ImageUser != nil && s.Image != "" {
		if user, known := c.opts.ImageUser(c.ctx, s.Image); known {
			if !isRoot(user) {
				return nil
			}
			return []Finding{c.finding(s, RuleRootUser, "user", fmt.Sprintf("no user set, and image %s runs as root", s.Image), fix, "image")}
		}
	}
	return []Finding{c.finding(s, RuleRootUser, "user", "no user set; the image's default may be root", fix)}
}

// isRoot tells whether a user[:group] is root; an image's empty user is root.
func isRoot(user string) bool {
	name, _, _ := strings.Cut(user, ":")
	return name == "" || name == "root" || name == "0"
}

func checkPrivileged(c *checker, s *spec.Service) []Finding {
	if !s.Privileged {
		return nil
	}
	return []Finding{c.finding(s, RulePrivileged, "privileged",
		"runs privileged: it has every capability and the host's devices",
		"remove privileged and add only the capabilities it needs with cap_add")}
}

func checkDockerSocket(c *checker, s *spec.Service) []Finding {
	var out []Finding
	if s.UseAPISocket {
		out = append(out, c.finding(s, RuleDockerSocket, "use_api_socket",
			"use_api_socket mounts the Docker socket and hands over your registry credentials: the container can control the Docker host, as root",
			"remove use_api_socket, or mount a socket proxy that allows only the API calls the service needs"))
	}
	for i, m := range s.Volumes {
		socket := dockerSocketOf(c.project, m)
		if socket == "" {
			continue
		}
		key := fmt.Sprintf("volumes[%d]", i)
		out = append(out, c.finding(s, RuleDockerSocket, key,
			fmt.Sprintf("mounts the Docker socket (%s): the container can control the Docker host, as root", socket),
			"remove the mount, or mount a socket proxy that allows only the API calls the service needs",
			key+".source", key, "volumes"))
	}
	return out
}

// dockerSocketOf returns the Docker socket path a mount exposes, or "".
// Read-only does not help: the socket accepts writes regardless.
func dockerSocketOf(p *spec.Project, m spec.Mount) string {
	switch m.Type {
	case spec.MountBind:
		for _, p := range []string{m.Source, m.Target} {
			if isDockerSocket(p) {
				return p
			}
		}
	case spec.MountVolume:
		// A local volume can be a bind in disguise: driver_opts device.
		if v, ok := p.Volumes[m.Source]; ok && isDockerSocket(v.DriverOpts["device"]) {
			return v.DriverOpts["device"]
		}
	}
	return ""
}

func isDockerSocket(p string) bool {
	// docker.sock anywhere covers rootless daemons ($XDG_RUNTIME_DIR/docker.sock).
	return p != "" && path.Base(path.Clean(p)) == "docker.sock"
}

func checkImageTag(c *checker, s *spec.Service) []Finding {
	// A built image is named by the stack, its tag is local.
	if s.Image == "" || s.Build != nil {
		return nil
	}
	const fix = "pin a version tag or a digest, e.g. postgres:16.4 or postgres@sha256:<digest>"
	switch imageTag(s.Image) {
	case "@":
		return nil
	case "":
		return []Finding{c.finding(s, RuleUnpinnedImage, "image",
			fmt.Sprintf("image %s has no tag, so it is whatever latest is when pulled", s.Image), fix)}
	case "latest":
		return []Finding{c.finding(s, RuleUnpinnedImage, "image",
			fmt.Sprintf("image %s uses the latest tag, which changes under you", s.Image), fix)}
	}
	return nil
}

// imageTag returns the tag of an image reference, "" when it has none and
// "@" when it is pinned by digest. A registry port ("host:5000/app") is not
// a tag.
func imageTag(ref string) string {
	if strings.Contains(ref, "@") {
		return "@"
	}
	name := ref[strings.LastIndex(ref, "/")+1:]
	if i := strings.LastIndex(name, ":"); i >= 0 {
		return name[i+1:]
	}
	return ""
}

func checkPorts(c *checker, s *spec.Service) []Finding {
	var out []Finding
	for i, port := range s.Ports {
		if port.HostPort == "" || !allInterfaces(port.HostIP) {
			continue
		}
		target := fmt.Sprint(port.ContainerPort)
		if port.Protocol != "" && port.Protocol != "tcp" {
			target += "/" + port.Protocol
		}
		key := fmt.Sprintf("ports[%d]", i)
		out = append(out, c.finding(s, RulePublicPort, key,
			fmt.Sprintf("publishes %s on all interfaces, reachable from the network", port),
			fmt.Sprintf(`bind it to loopback: "127.0.0.1:%s:%s"`, port.HostPort, target),
			key+".host_ip", key+".published", key, "ports"))
	}
	return out
}

func allInterfaces(ip string) bool {
	switch strings.Trim(ip, "[]") {
	case "", "0.0.0.0", "::":
		return true
	}
	return false
}

// dangerousCaps are the capabilities that amount to (nearly) root on the host.
var dangerousCaps = map[string]string{
	"ALL":        "every capability, nearly privileged",
	"SYS_ADMIN":  "mounts, namespaces and much of the kernel, nearly privileged",
	"SYS_MODULE": "loading kernel modules into the host's kernel",
	"SYS_RAWIO":  "raw access to the host's devices and memory",
}

func checkCapabilities(c *checker, s *spec.Service) []Finding {
	var out []Finding
	for i, capability := range s.CapAdd {
		name := strings.TrimPrefix(strings.ToUpper(capability), "CAP_")
		why, ok := dangerousCaps[name]
		if !ok {
			continue
		}
		key := fmt.Sprintf("cap_add[%d]", i)
		out = append(out, c.finding(s, RuleDangerousCap, key,
			fmt.Sprintf("cap_add %s grants %s", capability, why),
			"add only the narrow capabilities it needs (e.g. NET_BIND_SERVICE), or none",
			key, "cap_add"))
	}
	return out
}

func checkSecurityOpts(c *checker, s *spec.Service) []Finding {
	var out []Finding
	for i, opt := range s.SecurityOpt {
		what := unconfined(opt)
		if what == "" {
			continue
		}
		key := fmt.Sprintf("security_opt[%d]", i)
		out = append(out, c.finding(s, RuleUnconfined, key,
			fmt.Sprintf("security_opt %s turns off %s", opt, what),
			"remove it; if one syscall or path is blocked, allow just that in a custom profile",
			key, "security_opt"))
	}
	return out
}

// unconfined names the protection a security option turns off, or "".
// Docker accepts both "name:value" and "name=value".
func unconfined(opt string) string {
	name, value, ok := strings.Cut(opt, "=")
	if !ok {
		name, value, _ = strings.Cut(opt, ":")
	}
	switch strings.ToLower(name) + "=" + strings.ToLower(value) {
	case "seccomp=unconfined":
		return "the seccomp syscall filter"
	case "apparmor=unconfined":
		return "AppArmor confinement"
	case "label=disable":
		return "SELinux labeling"
	case "systempaths=unconfined":
		return "the masking of /proc and /sys paths"
	}
	return ""
}

// hostNamespaces say what each host namespace lets a container reach.
var hostNamespaces = []struct {
	key, why string
	mode     func(s *spec.Service) string
}{
	{"network_mode", "the host's network: every port on the host, and services bound to its loopback", func(s *spec.Service) string { return s.NetworkMode }},
	{"pid", "the host's processes: it can see them, and signal or trace them as root", func(s *spec.Service) string { return s.Pid }},
	{"ipc", "the host's shared memory and semaphores", func(s *spec.Service) string { return s.Ipc }},
	{"uts", "the host's hostname, which it can change as root", func(s *spec.Service) string { return s.Uts }},
	{"userns_mode", "the host's user namespace, so root inside is root outside on a remapping daemon", func(s *spec.Service) string { return s.UsernsMode }},
}

func checkHostNamespaces(c *checker, s *spec.Service) []Finding {
	var out []Finding
	for _, ns := range hostNamespaces {
		if ns.mode(s) != "host" {
			continue
		}
		out = append(out, c.finding(s, RuleHostNamespace, ns.key,
			fmt.Sprintf("%s host shares %s", ns.key, ns.why),
			fmt.Sprintf("remove %s: host, or share with one service of the stack (%s: service:NAME)", ns.key, ns.key)))
	}
	return out
}

func checkDevices(c *checker, s *spec.Service) []Finding {
	var out []Finding
	for i, d := range s.Devices {
		key := fmt.Sprintf("devices[%d]", i)
		out = append(out, c.finding(s, RuleHostDevice, key,
			fmt.Sprintf("device %s gives the container the host's %s", d, d.Source),
			"map only the device the service needs, read-only where it can (host:container:r)",
			key, "devices"))
	}
	for i, r := range s.DeviceCgroupRules {
		if !strings.HasPrefix(r, "a ") && !strings.Contains(r, "*") {
			continue
		}
		key := fmt.Sprintf("device_cgroup_rules[%d]", i)
		out = append(out, c.finding(s, RuleHostDevice, key,
			fmt.Sprintf("device_cgroup_rules %q allows whole classes of host devices", r),
			"allow one device by type and major:minor, e.g. \"c 10:229 rwm\"",
			key, "device_cgroup_rules"))
	}
	return out
}
