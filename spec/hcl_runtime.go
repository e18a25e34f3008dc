package spec

import (
	"fmt"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// hclRuntimeAttributes are the service attributes of the namespace,
// device, kernel and tuning keys; each is the compose key of that name.
var hclRuntimeAttributes = []hcl.AttributeSchema{
	{Name: "network_mode"}, {Name: "ipc"}, {Name: "pid"}, {Name: "uts"}, {Name: "userns_mode"},
	{Name: "cgroup"}, {Name: "cgroup_parent"}, {Name: "isolation"}, {Name: "runtime"},
	{Name: "volumes_from"}, {Name: "links"}, {Name: "external_links"}, {Name: "use_api_socket"},
	{Name: "pull_refresh_after"}, {Name: "devices"}, {Name: "device_cgroup_rules"}, {Name: "group_add"},
	{Name: "shm_size"}, {Name: "tmpfs"}, {Name: "ulimits"}, {Name: "sysctls"}, {Name: "storage_opt"},
	{Name: "annotations"}, {Name: "dns"}, {Name: "dns_opt"}, {Name: "dns_search"}, {Name: "domainname"},
	{Name: "mac_address"}, {Name: "oom_kill_disable"}, {Name: "oom_score_adj"}, {Name: "pids_limit"},
	{Name: "cpu_count"}, {Name: "cpu_percent"}, {Name: "cpu_period"}, {Name: "cpu_quota"},
	{Name: "cpu_rt_period"}, {Name: "cpu_rt_runtime"}, {Name: "cpu_shares"}, {Name: "cpuset"},
	{Name: "mem_reservation"}, {Name: "memswap_limit"}, {Name: "mem_swappiness"},
	{Name: "label_file"},
}

// hclRuntimeBlocks are the keys Compose writes as maps of objects.
var hclRuntimeBlocks = []hcl.BlockHeaderSchema{
	{Type: "logging"}, {Type: "blkio_config"}, {Type: "ulimit", LabelNames: []string{"name"}},
}

// decodeRuntime reads the runtime attributes and blocks of a service.
func (p *hclProject) decodeRuntime(d *hclDecoder, s *Service, m *hclModule, a hcl.Attributes, blocks hcl.Blocks) {
	d.setStr(a["network_mode"], &s.NetworkMode)
	d.setStr(a["ipc"], &s.Ipc)
	d.setStr(a["pid"], &s.Pid)
	if l, ok := d.strList(a["volumes_from"]); ok {
		for i, v := range l {
			vf, ok := ParseVolumesFrom(v)
			if !ok {
				d.errorAt(elemRange(a["volumes_from"].Expr, i), "Invalid volumes_from", fmt.Sprintf("%q is not service[:ro|:rw] or container:name[:ro|:rw].", v))
				continue
			}
			s.VolumesFrom = append(s.VolumesFrom, vf)
		}
	}
	d.setStrList(a["links"], &s.Links)
	d.setStrList(a["external_links"], &s.ExternalLinks)
	d.setBool(a["use_api_socket"], &s.UseAPISocket)
	if dur, ok := d.duration(a["pull_refresh_after"]); ok {
		if dur <= 0 {
			d.errorAt(a["pull_refresh_after"].Expr.Range(), "Invalid duration for pull_refresh_after", "The duration must be positive.")
		}
		s.PullRefreshAfter = dur
	}

	r := &s.RuntimeOptions
	d.setStr(a["uts"], &r.Uts)
	d.setStr(a["userns_mode"], &r.UsernsMode)
	d.setStr(a["cgroup"], &r.Cgroup)
	d.setStr(a["cgroup_parent"], &r.CgroupParent)
	d.setStr(a["isolation"], &r.Isolation)
	d.setStr(a["runtime"], &r.Runtime)
	if l, ok := d.strList(a["devices"]); ok {
		for i, v := range l {
			dev, err := ParseDevice(v)
			if err != nil {
				d.errorAt(elemRange(a["devices"].Expr, i), "Invalid device", err.Error())
				continue
			}
			r.Devices = append(r.Devices, dev)
		}
	}
	d.setStrList(a["device_cgroup_rules"], &r.DeviceCgroupRules)
	d.setStrList(a["group_add"], &r.GroupAdd)
	if n, ok := d.size(a["shm_size"]); ok {
		r.ShmSize = n
	}
	if v, ok := d.value(a["tmpfs"]); ok {
		if v.Type() == cty.String {
			r.Tmpfs = []string{v.AsString()}
		} else if l, ok := d.toStrList(a["tmpfs"], v); ok && len(l) > 0 {
			r.Tmpfs = l
		}
	}
	r.Ulimits = p.decodeUlimits(d, a["ulimits"], sortedBlocks(blocks, "ulimit"))
	d.setStrMap(a["sysctls"], &r.Sysctls)
	d.setStrMap(a["storage_opt"], &r.StorageOpt)
	d.setStrMap(a["annotations"], &r.Annotations)
	d.setStrList(a["dns"], &r.DNS)
	d.setStrList(a["dns_opt"], &r.DNSOpt)
	d.setStrList(a["dns_search"], &r.DNSSearch)
	d.setStr(a["domainname"], &r.DomainName)
	d.setStr(a["mac_address"], &r.MacAddress)
	d.setBool(a["oom_kill_disable"], &r.OomKillDisable)
	d.setInt64(a["oom_score_adj"], &r.OomScoreAdj)
	d.setInt64(a["pids_limit"], &r.PidsLimit)
	d.setInt64(a["cpu_count"], &r.CPUCount)
	if f, ok := d.float(a["cpu_percent"]); ok {
		r.CPUPercent = f
	}
	d.setInt64(a["cpu_period"], &r.CPUPeriod)
	d.setInt64(a["cpu_quota"], &r.CPUQuota)
	d.setInt64(a["cpu_rt_period"], &r.CPURTPeriod)
	d.setInt64(a["cpu_rt_runtime"], &r.CPURTRuntime)
	d.setInt64(a["cpu_shares"], &r.CPUShares)
	d.setStr(a["cpuset"], &r.CPUSet)
	if n, ok := d.size(a["mem_reservation"]); ok {
		r.MemReservation = n
	}
	r.MemSwapLimit = d.swapLimit(a["memswap_limit"])
	d.setInt64(a["mem_swappiness"], &r.MemSwappiness)
	if lb := p.singleBlock(blocks, "logging"); lb != nil {
		r.Logging = p.decodeLogging(d.within("logging."), lb)
	}
	if bb := p.singleBlock(blocks, "blkio_config"); bb != nil {
		r.Blkio = p.decodeBlkio(d.within("blkio_config."), bb)
	}
	p.labelFiles(d, s, m, a["label_file"])
	addNamespaceDependencies(s)
}

func (d *hclDecoder) setInt64(attr *hcl.Attribute, dst *int64) {
	if n, ok := d.integer(attr); ok {
		*dst = int64(n)
	}
}

// swapLimit reads memswap_limit: a size, or -1 for unlimited swap.
func (d *hclDecoder) swapLimit(attr *hcl.Attribute) int64 {
	if v, ok := d.value(attr); ok && v.Type() == cty.Number && v.Equals(cty.NumberIntVal(-1)).True() {
		return -1
	}
	n, _ := d.size(attr)
	return n
}

// decodeUlimits reads `ulimits = { nofile = 1024, nproc = { soft = 1, hard = 2 } }`
// and `ulimit "nofile" { soft = 1024 hard = 4096 }` blocks.
func (p *hclProject) decodeUlimits(d *hclDecoder, attr *hcl.Attribute, blocks []*hcl.Block) map[string]Ulimit {
	out := map[string]Ulimit{}
	if v, ok := d.value(attr); ok {
		if !v.Type().IsObjectType() && !v.Type().IsMapType() {
			d.errorAt(attr.Expr.Range(), "Invalid value for ulimits", "A map of limits is required: a number, or an object with soft and hard.")
		} else {
			for it := v.ElementIterator(); it.Next(); {
				k, e := it.Element()
				u, err := ulimitOf(e)
				if err != nil {
					d.errorAt(attr.Expr.Range(), "Invalid value for ulimits", fmt.Sprintf("%s: %v.", k.AsString(), err))
					continue
				}
				out[k.AsString()] = u
			}
			for key, r := range objectKeyRanges(attr.Expr) {
				d.mark("ulimits."+key, r)
			}
		}
	}
	for _, b := range blocks {
		name := b.Labels[0]
		c := p.content(b.Body, &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "soft", Required: true}, {Name: "hard", Required: true}}})
		ud := d.within("ulimits." + name + ".")
		d.mark("ulimits."+name, b.DefRange)
		if _, dup := out[name]; dup {
			p.errorAt(b.DefRange.Ptr(), "Duplicate ulimit", fmt.Sprintf("The limit %q is set twice.", name))
			continue
		}
		var u Ulimit
		ud.setInt64(c.Attributes["soft"], &u.Soft)
		ud.setInt64(c.Attributes["hard"], &u.Hard)
		out[name] = u
	}
	for name, u := range out {
		if u.Soft > u.Hard {
			d.errorAt(d.rangeOf(attr, blocks), "Invalid ulimit", fmt.Sprintf("%s: the soft limit %d is above the hard limit %d.", name, u.Soft, u.Hard))
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// rangeOf is where to point an error about an attribute or its blocks.
func (d *hclDecoder) rangeOf(attr *hcl.Attribute, blocks []*hcl.Block) hcl.Range {
	if attr != nil {
		return attr.Expr.Range()
	}
	return blocks[0].DefRange
}

func ulimitOf(v cty.Value) (Ulimit, error) {
	if v.Type() == cty.Number {
		n, _ := v.AsBigFloat().Int64()
		return Ulimit{Soft: n, Hard: n}, nil
	}
	if !v.Type().IsObjectType() || !v.Type().HasAttribute("soft") || !v.Type().HasAttribute("hard") {
		return Ulimit{}, fmt.Errorf("want a number, or an object with soft and hard")
	}
	var u Ulimit
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"soft", &u.Soft}, {"hard", &u.Hard}} {
		e := v.GetAttr(f.name)
		if e.Type() != cty.Number {
			return Ulimit{}, fmt.Errorf("%s must be a number", f.name)
		}
		*f.dst, _ = e.AsBigFloat().Int64()
	}
	return u, nil
}

func (p *hclProject) decodeLogging(d *hclDecoder, b *hcl.Block) *Logging {
	c := p.content(b.Body, &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "driver"}, {Name: "options"}}})
	d.mark("", b.DefRange)
	l := &Logging{}
	d.setStr(c.Attributes["driver"], &l.Driver)
	d.setStrMap(c.Attributes["options"], &l.Options)
	return l
}

func (p *hclProject) decodeBlkio(d *hclDecoder, b *hcl.Block) *Blkio {
	c := p.content(b.Body, &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "weight"}, {Name: "weight_device"}, {Name: "device_read_bps"}, {Name: "device_read_iops"},
		{Name: "device_write_bps"}, {Name: "device_write_iops"},
	}})
	d.mark("", b.DefRange)
	a := c.Attributes
	bl := &Blkio{}
	if n, ok := d.integer(a["weight"]); ok {
		if n < 10 || n > 1000 {
			d.errorAt(a["weight"].Expr.Range(), "Invalid value for weight", "The weight is between 10 and 1000.")
		}
		bl.Weight = uint16(n)
	}
	for _, e := range d.objectList(a["weight_device"], "weight") {
		bl.WeightDevice = append(bl.WeightDevice, WeightDevice{Path: e.path, Weight: uint16(e.value)})
	}
	throttle := func(name string) []ThrottleDevice {
		var out []ThrottleDevice
		for _, e := range d.objectList(a[name], "rate") {
			out = append(out, ThrottleDevice{Path: e.path, Rate: e.value})
		}
		return out
	}
	bl.DeviceReadBps = throttle("device_read_bps")
	bl.DeviceReadIOps = throttle("device_read_iops")
	bl.DeviceWriteBps = throttle("device_write_bps")
	bl.DeviceWriteIOps = throttle("device_write_iops")
	return bl
}

type devicePathValue struct {
	path  string
	value int64
}

// objectList reads [{ path = "/dev/sda", <key> = N }, ...]; a rate may be
// a size such as "10m".
func (d *hclDecoder) objectList(attr *hcl.Attribute, key string) []devicePathValue {
	v, ok := d.value(attr)
	if !ok {
		return nil
	}
	bad := func() []devicePathValue {
		d.errorAt(attr.Expr.Range(), "Invalid value for "+attr.Name, fmt.Sprintf("A list of objects with path and %s is required.", key))
		return nil
	}
	if !v.Type().IsTupleType() && !v.Type().IsListType() {
		return bad()
	}
	var out []devicePathValue
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if !e.Type().IsObjectType() || !e.Type().HasAttribute("path") || !e.Type().HasAttribute(key) {
			return bad()
		}
		path, val := e.GetAttr("path"), e.GetAttr(key)
		if path.Type() != cty.String {
			return bad()
		}
		var n int64
		switch val.Type() {
		case cty.Number:
			n, _ = val.AsBigFloat().Int64()
		case cty.String:
			size, err := parseSize(val.AsString())
			if err != nil {
				d.errorAt(attr.Expr.Range(), "Invalid value for "+attr.Name, err.Error())
				return nil
			}
			n = size
		default:
			return bad()
		}
		out = append(out, devicePathValue{path: path.AsString(), value: n})
	}
	return out
}

// labelFiles merges label_file files under the service's labels, as
// Compose does: labels written in the stack file win.
func (p *hclProject) labelFiles(d *hclDecoder, s *Service, m *hclModule, attr *hcl.Attribute) {
	if attr == nil {
		return
	}
	var files []string
	if v, ok := d.value(attr); ok {
		if v.Type() == cty.String {
			files = []string{v.AsString()}
		} else if l, ok := d.toStrList(attr, v); ok {
			files = l
		}
	}
	merged := map[string]string{}
	for i, f := range files {
		path := resolvePath(m.dir, expandHome(f, p.environ))
		if _, err := os.Stat(path); err != nil {
			d.errorAt(elemRange(attr.Expr, i), "Label file not found", fmt.Sprintf("Cannot read %s.", path))
			continue
		}
		vals, err := dotenv.ReadWithLookup(func(string) (string, bool) { return "", false }, path)
		if err != nil {
			d.errorAt(elemRange(attr.Expr, i), "Invalid label file", fmt.Sprintf("%s: %v.", path, err))
			continue
		}
		for k, v := range vals {
			merged[k] = v
		}
	}
	for k, v := range s.Labels {
		merged[k] = v
	}
	s.Labels = emptyToNil(merged)
}

// ParseDevice reads a devices entry: "/dev/x", "/dev/x:/dev/y",
// "/dev/x:/dev/y:rwm", or a CDI name "vendor.com/class=name".
func ParseDevice(s string) (Device, error) {
	d := Device{Source: s}
	if d.IsCDI() {
		return d, nil
	}
	parts := strings.Split(s, ":")
	if len(parts) > 3 || parts[0] == "" {
		return Device{}, fmt.Errorf("%q is not host[:container[:permissions]] or a CDI device name", s)
	}
	d.Source = parts[0]
	if len(parts) > 1 {
		d.Target = parts[1]
	}
	if len(parts) == 3 {
		d.Permissions = parts[2]
	}
	if len(parts) == 2 && validDevicePermissions(parts[1]) {
		d.Target, d.Permissions = "", parts[1]
	}
	if d.Target == "" {
		d.Target = d.Source
	}
	if d.Permissions != "" && !validDevicePermissions(d.Permissions) {
		return Device{}, fmt.Errorf("%q: permissions %q are not a combination of r, w and m", s, d.Permissions)
	}
	return d, nil
}

func validDevicePermissions(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("rwm", r) {
			return false
		}
	}
	return true
}

// addNamespaceDependencies makes a service that shares another's network,
// IPC, PID, UTS or cgroup namespace, takes its volumes or links to it
// depend on it, restarting with it, as compose-go does for compose files.
func addNamespaceDependencies(s *Service) {
	for _, name := range s.ReferencedServices() {
		if _, ok := s.DependsOn[name]; ok || name == s.Name {
			continue
		}
		if s.DependsOn == nil {
			s.DependsOn = map[string]Dependency{}
		}
		s.DependsOn[name] = Dependency{Condition: ConditionStarted, Required: true, Restart: true}
	}
}
