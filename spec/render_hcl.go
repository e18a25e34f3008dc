package spec

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// MarshalHCL prints the project in our HCL language, with references
// between blocks (depends_on = [service.db]). Paths under the folder of the
// project's first stack file are written relative to it, as for an output
// saved next to that file. Secret values are never printed.
func MarshalHCL(p *Project) ([]byte, error) {
	return MarshalHCLIn(p, hclHomeDir(p))
}

// hclHomeDir is the folder an HCL rendering of p belongs in when no output
// file is named: the folder of its first stack file. The working folder can
// differ (--project-directory), but an HCL file resolves paths against its
// own folder.
func hclHomeDir(p *Project) string {
	if len(p.Files) > 0 {
		return filepath.Dir(p.Files[0])
	}
	return p.WorkingDir
}

// MarshalHCLIn is MarshalHCL for an output file in folder dir: paths under
// dir are written relative to it.
func MarshalHCLIn(p *Project, dir string) ([]byte, error) {
	w := &hclWriter{p: p, dir: dir}
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	body.SetAttributeValue("name", cty.StringVal(p.Name))
	for _, name := range p.ServiceNames() {
		body.AppendNewline()
		w.service(body.AppendNewBlock("service", []string{name}).Body(), p.Services[name])
	}
	for _, name := range sortedKeys(p.Disabled) {
		body.AppendNewline()
		w.service(body.AppendNewBlock("service", []string{name}).Body(), p.Disabled[name])
	}
	for _, key := range sortedKeys(p.Networks) {
		n := p.Networks[key]
		if key == "default" && w.implicitDefaultNetwork() {
			continue
		}
		body.AppendNewline()
		b := body.AppendNewBlock("network", []string{key}).Body()
		setString(b, "name", w.nonDefaultName(key, n.Name, n.External))
		setString(b, "driver", n.Driver)
		setMap(b, "driver_opts", n.DriverOpts)
		setMap(b, "labels", n.Labels)
		setBool(b, "internal", n.Internal)
		setBool(b, "attachable", n.Attachable)
		setBool(b, "enable_ipv6", n.EnableIPv6)
		if n.EnableIPv4 != nil {
			b.SetAttributeValue("enable_ipv4", cty.BoolVal(*n.EnableIPv4))
		}
		w.ipam(b, n.IPAM)
		setBool(b, "external", n.External)
	}
	for _, key := range sortedKeys(p.Volumes) {
		v := p.Volumes[key]
		body.AppendNewline()
		b := body.AppendNewBlock("volume", []string{key}).Body()
		setString(b, "name", w.nonDefaultName(key, v.Name, v.External))
		setString(b, "driver", v.Driver)
		setMap(b, "driver_opts", v.DriverOpts)
		setMap(b, "labels", v.Labels)
		setBool(b, "external", v.External)
	}
	for _, key := range sortedKeys(p.Secrets) {
		s := p.Secrets[key]
		body.AppendNewline()
		w.fileObject(body.AppendNewBlock("secret", []string{key}).Body(), key, s.Name, s.File, s.Environment, "", s.External)
		if s.Content != "" && s.Environment == "" && s.File == "" {
			body.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment, Bytes: []byte("# secret " + key + ": inline content not printed\n")}})
		}
	}
	for _, key := range sortedKeys(p.Configs) {
		c := p.Configs[key]
		body.AppendNewline()
		w.fileObject(body.AppendNewBlock("config", []string{key}).Body(), key, c.Name, c.File, c.Environment, c.Content, c.External)
	}
	return hclwrite.Format(f.Bytes()), nil
}

type hclWriter struct {
	p   *Project
	dir string
}

// implicitDefaultNetwork reports whether the "default" network is the one
// Compose adds by itself, which needs no block.
func (w *hclWriter) implicitDefaultNetwork() bool {
	n := w.p.Networks["default"]
	if n == nil {
		return true
	}
	plain := n.Driver == "" && len(n.DriverOpts) == 0 && len(n.Labels) == 0 && !n.Internal &&
		!n.Attachable && !n.EnableIPv6 && n.EnableIPv4 == nil && len(n.IPAM.Pools) == 0 && n.IPAM.Driver == "" && !n.External
	return plain && (n.Name == "" || n.Name == w.p.Name+"_default")
}

// nonDefaultName returns name unless it is the one the project gives by
// default (<project>_<key>).
func (w *hclWriter) nonDefaultName(key, name string, external bool) string {
	if name == w.p.Name+"_"+key || (external && name == key) {
		return ""
	}
	return name
}

// fileObject writes a secret or config with the one source it was given.
// Content read from an environment variable at load time is not printed:
// the block names the variable, and both sources would not load back.
func (w *hclWriter) fileObject(b *hclwrite.Body, key, name, file, env, content string, external bool) {
	setString(b, "name", w.nonDefaultName(key, name, external))
	setString(b, "file", w.relPath(file))
	setString(b, "environment", env)
	if file == "" && env == "" {
		setString(b, "content", content)
	}
	setBool(b, "external", external)
}

// relPath writes an absolute path under the output folder as ./rel.
func (w *hclWriter) relPath(path string) string {
	if path == "" || w.dir == "" || !filepath.IsAbs(path) {
		return path
	}
	rel, err := filepath.Rel(w.dir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return path
	}
	if rel == "." {
		return "."
	}
	return "./" + filepath.ToSlash(rel)
}

func (w *hclWriter) service(b *hclwrite.Body, s *Service) {
	setString(b, "image", s.Image)
	if bd := s.Build; bd != nil {
		bb := b.AppendNewBlock("build", nil).Body()
		setString(bb, "context", w.relPath(bd.Context))
		setString(bb, "dockerfile", bd.Dockerfile)
		setMap(bb, "args", bd.Args)
		setString(bb, "target", bd.Target)
		setMap(bb, "labels", bd.Labels)
		setBool(bb, "no_cache", bd.NoCache)
		setList(bb, "tags", bd.Tags)
		w.buildMore(bb, bd)
	}
	setString(b, "pull_policy", s.PullPolicy)
	setString(b, "platform", s.Platform)
	if s.Command != nil {
		b.SetAttributeValue("command", stringList(s.Command))
	}
	if s.Entrypoint != nil {
		b.SetAttributeValue("entrypoint", stringList(s.Entrypoint))
	}
	setMap(b, "environment", s.Environment)
	setString(b, "working_dir", s.WorkingDir)
	setString(b, "user", s.User)
	setString(b, "hostname", s.Hostname)
	setString(b, "container_name", s.ContainerName)
	setMap(b, "labels", s.Labels)
	setList(b, "profiles", s.Profiles)
	w.ports(b, s.Ports)
	setList(b, "expose", s.Expose)
	w.mounts(b, s.Volumes)
	w.networks(b, s.Networks)
	setList(b, "extra_hosts", s.ExtraHosts)
	w.dependsOn(b, s.DependsOn)
	if h := s.Healthcheck; h != nil {
		hb := b.AppendNewBlock("healthcheck", nil).Body()
		setList(hb, "test", h.Test)
		setDuration(hb, "interval", h.Interval)
		setDuration(hb, "timeout", h.Timeout)
		if h.Retries != 0 {
			hb.SetAttributeValue("retries", cty.NumberIntVal(int64(h.Retries)))
		}
		setDuration(hb, "start_period", h.StartPeriod)
		setDuration(hb, "start_interval", h.StartInterval)
		setBool(hb, "disable", h.Disable)
	}
	setString(b, "restart", s.Restart)
	if s.Replicas != 1 {
		b.SetAttributeValue("replicas", cty.NumberIntVal(int64(s.Replicas)))
	}
	setString(b, "stop_signal", s.StopSignal)
	if s.StopGracePeriod != nil {
		b.SetAttributeValue("stop_grace_period", cty.StringVal(s.StopGracePeriod.String()))
	}
	w.fileRefs(b, "secret", "secrets", s.Secrets)
	w.fileRefs(b, "config", "configs", s.Configs)
	w.resources(b, s.Resources)
	w.deploy(b, s.Deploy)
	if s.Init != nil {
		b.SetAttributeValue("init", cty.BoolVal(*s.Init))
	}
	setBool(b, "read_only", s.ReadOnly)
	setBool(b, "privileged", s.Privileged)
	setBool(b, "tty", s.Tty)
	setBool(b, "stdin_open", s.StdinOpen)
	setList(b, "cap_add", s.CapAdd)
	setList(b, "cap_drop", s.CapDrop)
	setList(b, "security_opt", s.SecurityOpt)
	w.hooks(b, s)
	w.runtime(b, s)
	w.develop(b, s.Develop)
}

// runtime writes the namespace, device, kernel and tuning keys.
func (w *hclWriter) runtime(b *hclwrite.Body, s *Service) {
	setString(b, "network_mode", s.NetworkMode)
	setString(b, "ipc", s.Ipc)
	setString(b, "pid", s.Pid)
	var from []string
	for _, v := range s.VolumesFrom {
		from = append(from, v.String())
	}
	setList(b, "volumes_from", from)
	setList(b, "links", s.Links)
	setList(b, "external_links", s.ExternalLinks)
	setBool(b, "use_api_socket", s.UseAPISocket)
	setDuration(b, "pull_refresh_after", s.PullRefreshAfter)
	r := s.RuntimeOptions
	setString(b, "uts", r.Uts)
	setString(b, "userns_mode", r.UsernsMode)
	setString(b, "cgroup", r.Cgroup)
	setString(b, "cgroup_parent", r.CgroupParent)
	setString(b, "isolation", r.Isolation)
	setString(b, "runtime", r.Runtime)
	var devices []string
	for _, d := range r.Devices {
		devices = append(devices, d.String())
	}
	setList(b, "devices", devices)
	setList(b, "device_cgroup_rules", r.DeviceCgroupRules)
	setList(b, "group_add", r.GroupAdd)
	if r.ShmSize != 0 {
		setString(b, "shm_size", formatBytes(r.ShmSize))
	}
	setList(b, "tmpfs", r.Tmpfs)
	setMap(b, "sysctls", r.Sysctls)
	setMap(b, "storage_opt", r.StorageOpt)
	setMap(b, "annotations", r.Annotations)
	setList(b, "dns", r.DNS)
	setList(b, "dns_opt", r.DNSOpt)
	setList(b, "dns_search", r.DNSSearch)
	setString(b, "domainname", r.DomainName)
	setString(b, "mac_address", r.MacAddress)
	setBool(b, "oom_kill_disable", r.OomKillDisable)
	for _, n := range []struct {
		name string
		v    int64
	}{
		{"oom_score_adj", r.OomScoreAdj}, {"pids_limit", r.PidsLimit}, {"cpu_count", r.CPUCount},
		{"cpu_period", r.CPUPeriod}, {"cpu_quota", r.CPUQuota}, {"cpu_rt_period", r.CPURTPeriod},
		{"cpu_rt_runtime", r.CPURTRuntime}, {"cpu_shares", r.CPUShares}, {"mem_swappiness", r.MemSwappiness},
	} {
		if n.v != 0 {
			b.SetAttributeValue(n.name, cty.NumberIntVal(n.v))
		}
	}
	if r.CPUPercent != 0 {
		b.SetAttributeValue("cpu_percent", cty.NumberFloatVal(r.CPUPercent))
	}
	setString(b, "cpuset", r.CPUSet)
	if r.MemReservation != 0 {
		setString(b, "mem_reservation", formatBytes(r.MemReservation))
	}
	switch {
	case r.MemSwapLimit == -1:
		b.SetAttributeValue("memswap_limit", cty.NumberIntVal(-1))
	case r.MemSwapLimit != 0:
		setString(b, "memswap_limit", formatBytes(r.MemSwapLimit))
	}
	// A single number sets both limits, as in Compose; only pairs need a block.
	singles := map[string]cty.Value{}
	for name, u := range r.Ulimits {
		if u.Soft == u.Hard {
			singles[name] = cty.NumberIntVal(u.Soft)
		}
	}
	if len(singles) > 0 {
		b.SetAttributeValue("ulimits", cty.ObjectVal(singles))
	}
	for _, name := range sortedKeys(r.Ulimits) {
		u := r.Ulimits[name]
		if u.Soft == u.Hard {
			continue
		}
		ub := b.AppendNewBlock("ulimit", []string{name}).Body()
		ub.SetAttributeValue("soft", cty.NumberIntVal(u.Soft))
		ub.SetAttributeValue("hard", cty.NumberIntVal(u.Hard))
	}
	if l := r.Logging; l != nil {
		lb := b.AppendNewBlock("logging", nil).Body()
		setString(lb, "driver", l.Driver)
		setMap(lb, "options", l.Options)
	}
	if bl := r.Blkio; bl != nil {
		bb := b.AppendNewBlock("blkio_config", nil).Body()
		if bl.Weight != 0 {
			bb.SetAttributeValue("weight", cty.NumberIntVal(int64(bl.Weight)))
		}
		var weights []cty.Value
		for _, wd := range bl.WeightDevice {
			weights = append(weights, cty.ObjectVal(map[string]cty.Value{"path": cty.StringVal(wd.Path), "weight": cty.NumberIntVal(int64(wd.Weight))}))
		}
		if len(weights) > 0 {
			bb.SetAttributeValue("weight_device", cty.TupleVal(weights))
		}
		for _, t := range []struct {
			name string
			devs []ThrottleDevice
		}{
			{"device_read_bps", bl.DeviceReadBps}, {"device_read_iops", bl.DeviceReadIOps},
			{"device_write_bps", bl.DeviceWriteBps}, {"device_write_iops", bl.DeviceWriteIOps},
		} {
			var vals []cty.Value
			for _, d := range t.devs {
				vals = append(vals, cty.ObjectVal(map[string]cty.Value{"path": cty.StringVal(d.Path), "rate": cty.NumberIntVal(d.Rate)}))
			}
			if len(vals) > 0 {
				bb.SetAttributeValue(t.name, cty.TupleVal(vals))
			}
		}
	}
}

// ports uses the short "ip:host:container/proto" strings unless one port
// cannot be written so (an IPv6 host address, a mode); then every port is
// a block.
func (w *hclWriter) ports(b *hclwrite.Body, ports []Port) {
	if len(ports) == 0 {
		return
	}
	var short []string
	for _, p := range ports {
		if strings.Contains(p.HostIP, ":") || p.Mode != "" {
			short = nil
			break
		}
		short = append(short, shortPort(p))
	}
	if short != nil {
		setList(b, "ports", short)
		return
	}
	for _, p := range ports {
		pb := b.AppendNewBlock("port", nil).Body()
		pb.SetAttributeValue("target", cty.NumberIntVal(int64(p.ContainerPort)))
		setString(pb, "published", p.HostPort)
		setString(pb, "host_ip", p.HostIP)
		if p.protocol() != "tcp" {
			setString(pb, "protocol", p.Protocol)
		}
		setString(pb, "mode", p.Mode)
	}
}

func shortPort(p Port) string {
	s := strconv.Itoa(int(p.ContainerPort))
	switch {
	case p.HostIP != "":
		s = p.HostIP + ":" + p.HostPort + ":" + s
	case p.HostPort != "":
		s = p.HostPort + ":" + s
	}
	if p.protocol() != "tcp" {
		s += "/" + p.Protocol
	}
	return s
}

// mounts uses the short "source:target[:ro]" strings when every mount has
// one (binds that create their folder, named and anonymous volumes), else
// mount blocks.
func (w *hclWriter) mounts(b *hclwrite.Body, mounts []Mount) {
	if len(mounts) == 0 {
		return
	}
	var short []string
	for _, m := range mounts {
		s, ok := w.shortMount(m)
		if !ok {
			short = nil
			break
		}
		short = append(short, s)
	}
	if short != nil {
		setList(b, "volumes", short)
		return
	}
	for _, m := range mounts {
		mb := b.AppendNewBlock("mount", nil).Body()
		setString(mb, "type", m.Type)
		source := m.Source
		if m.Type == MountBind {
			source = w.relPath(source)
		}
		setString(mb, "source", source)
		setString(mb, "target", m.Target)
		setBool(mb, "read_only", m.ReadOnly)
		if m.Type == MountBind && !m.CreateHostPath {
			// A bind mount block creates its source unless told not to.
			mb.SetAttributeValue("create_host_path", cty.False)
		}
		if m.TmpfsSize > 0 {
			setString(mb, "tmpfs_size", formatBytes(m.TmpfsSize))
		}
		if m.TmpfsMode != 0 {
			setString(mb, "tmpfs_mode", fmt.Sprintf("0%o", m.TmpfsMode))
		}
		setBool(mb, "nocopy", m.NoCopy)
		setString(mb, "subpath", m.Subpath)
		setString(mb, "propagation", m.Propagation)
		setString(mb, "selinux", m.SELinux)
		setString(mb, "consistency", m.Consistency)
	}
}

func (w *hclWriter) shortMount(m Mount) (string, bool) {
	var s string
	switch {
	case m.Type == MountBind && m.CreateHostPath && strings.HasPrefix(m.Source, "/"):
		s = w.relPath(m.Source) + ":" + m.Target
	case m.Type == MountVolume && m.Source != "":
		s = m.Source + ":" + m.Target
	case m.Type == MountVolume:
		s = m.Target
	default:
		return "", false
	}
	if m.Subpath != "" || m.TmpfsMode != 0 {
		return "", false
	}
	var opts []string
	if m.ReadOnly {
		opts = append(opts, "ro")
	}
	for _, o := range []string{m.SELinux, m.Propagation, m.Consistency} {
		if o != "" {
			opts = append(opts, o)
		}
	}
	if m.NoCopy {
		opts = append(opts, "nocopy")
	}
	if len(opts) > 0 {
		if m.Source == "" {
			return "", false
		}
		s += ":" + strings.Join(opts, ",")
	}
	return s, true
}

func (w *hclWriter) networks(b *hclwrite.Body, nets map[string]*ServiceNetwork) {
	keys := sortedKeys(nets)
	if len(keys) == 0 || (len(keys) == 1 && keys[0] == "default" && plainAttachment(nets["default"]) && w.implicitDefaultNetwork()) {
		return
	}
	allPlain := true
	for _, k := range keys {
		allPlain = allPlain && plainAttachment(nets[k])
	}
	if allPlain {
		b.SetAttributeRaw("networks", references("network", keys))
		return
	}
	for _, k := range keys {
		nb := b.AppendNewBlock("network", []string{k}).Body()
		if n := nets[k]; n != nil {
			setList(nb, "aliases", n.Aliases)
			setString(nb, "ipv4_address", n.IPv4Address)
		}
	}
}

func plainAttachment(n *ServiceNetwork) bool {
	return n == nil || (len(n.Aliases) == 0 && n.IPv4Address == "")
}

func (w *hclWriter) dependsOn(b *hclwrite.Body, deps map[string]Dependency) {
	keys := sortedKeys(deps)
	if len(keys) == 0 {
		return
	}
	plain := true
	for _, k := range keys {
		d := deps[k]
		plain = plain && (d.Condition == "" || d.Condition == ConditionStarted) && d.Required && !d.Restart
	}
	if plain {
		b.SetAttributeRaw("depends_on", references("service", keys))
		return
	}
	for _, k := range keys {
		d := deps[k]
		db := b.AppendNewBlock("depends_on", []string{k}).Body()
		if d.Condition != "" && d.Condition != ConditionStarted {
			setString(db, "condition", d.Condition)
		}
		if !d.Required {
			db.SetAttributeValue("required", cty.False)
		}
		setBool(db, "restart", d.Restart)
	}
}

// fileRefs writes secrets/configs as references, or blocks when one sets
// a target, owner or mode.
func (w *hclWriter) fileRefs(b *hclwrite.Body, block, attr string, refs []FileRef) {
	if len(refs) == 0 {
		return
	}
	refs = append([]FileRef(nil), refs...)
	plain := true
	var names []string
	for i, r := range refs {
		if r.Target == defaultFileRefTarget(block, r.Source) {
			refs[i].Target = ""
			r.Target = ""
		}
		plain = plain && r.Target == "" && r.UID == "" && r.GID == "" && r.Mode == nil
		names = append(names, r.Source)
	}
	if plain {
		b.SetAttributeRaw(attr, references(block, names))
		return
	}
	for _, r := range refs {
		rb := b.AppendNewBlock(block, []string{r.Source}).Body()
		setString(rb, "target", r.Target)
		setString(rb, "uid", r.UID)
		setString(rb, "gid", r.GID)
		if r.Mode != nil {
			setString(rb, "mode", fmt.Sprintf("0%o", *r.Mode))
		}
	}
}

func (w *hclWriter) resources(b *hclwrite.Body, r Resources) {
	if r.CPUs == 0 && r.MemoryBytes == 0 && len(r.GPUs) == 0 {
		return
	}
	rb := b.AppendNewBlock("resources", nil).Body()
	if r.CPUs != 0 {
		rb.SetAttributeValue("cpus", cty.NumberFloatVal(r.CPUs))
	}
	if r.MemoryBytes != 0 {
		setString(rb, "memory", formatBytes(r.MemoryBytes))
	}
	for _, g := range r.GPUs {
		gb := rb.AppendNewBlock("gpus", nil).Body()
		setString(gb, "driver", g.Driver)
		if g.Count != 0 {
			gb.SetAttributeValue("count", cty.NumberIntVal(int64(g.Count)))
		}
		setList(gb, "device_ids", g.DeviceIDs)
		setList(gb, "capabilities", g.Capabilities)
		setMap(gb, "options", g.Options)
	}
}

// formatBytes writes a size with the largest exact unit: 512m, 2g, 1000.
func formatBytes(n int64) string {
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}} {
		if n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// references builds [kind.a, kind.b] as HCL traversals.
func references(kind string, names []string) hclwrite.Tokens {
	var elems []hclwrite.Tokens
	for _, n := range names {
		elems = append(elems, hclwrite.TokensForTraversal(hcl.Traversal{
			hcl.TraverseRoot{Name: kind},
			referenceStep(n),
		}))
	}
	return hclwrite.TokensForTuple(elems)
}

// referenceStep is .name, or ["name"] for a name that is not an HCL
// identifier (web.app, 0day): kind.web.app would read as two steps.
func referenceStep(name string) hcl.Traverser {
	if hclsyntax.ValidIdentifier(name) {
		return hcl.TraverseAttr{Name: name}
	}
	return hcl.TraverseIndex{Key: cty.StringVal(name)}
}

func setString(b *hclwrite.Body, name, v string) {
	if v != "" {
		b.SetAttributeValue(name, cty.StringVal(v))
	}
}

func setBool(b *hclwrite.Body, name string, v bool) {
	if v {
		b.SetAttributeValue(name, cty.True)
	}
}

func setDuration(b *hclwrite.Body, name string, d time.Duration) {
	if d != 0 {
		b.SetAttributeValue(name, cty.StringVal(d.String()))
	}
}

func setList(b *hclwrite.Body, name string, v []string) {
	if len(v) > 0 {
		b.SetAttributeValue(name, stringList(v))
	}
}

func setMap(b *hclwrite.Body, name string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	vals := map[string]cty.Value{}
	for k, v := range m {
		vals[k] = cty.StringVal(v)
	}
	b.SetAttributeValue(name, cty.ObjectVal(vals))
}

func stringList(v []string) cty.Value {
	if len(v) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vals := make([]cty.Value, len(v))
	for i, s := range v {
		vals[i] = cty.StringVal(s)
	}
	return cty.TupleVal(vals)
}

// ipam writes subnets = [...] when the pools have nothing but subnets, and
// an ipam block otherwise.
func (w *hclWriter) ipam(b *hclwrite.Body, ipam IPAM) {
	simple := ipam.Driver == "" && len(ipam.Options) == 0
	for _, p := range ipam.Pools {
		if p.Subnet == "" || p.Gateway != "" || p.IPRange != "" || len(p.AuxAddresses) > 0 {
			simple = false
		}
	}
	if simple {
		var subnets []string
		for _, p := range ipam.Pools {
			subnets = append(subnets, p.Subnet)
		}
		setList(b, "subnets", subnets)
		return
	}
	ib := b.AppendNewBlock("ipam", nil).Body()
	setString(ib, "driver", ipam.Driver)
	setMap(ib, "options", ipam.Options)
	for _, p := range ipam.Pools {
		pb := ib.AppendNewBlock("config", nil).Body()
		setString(pb, "subnet", p.Subnet)
		setString(pb, "ip_range", p.IPRange)
		setString(pb, "gateway", p.Gateway)
		setMap(pb, "aux_addresses", p.AuxAddresses)
	}
}
