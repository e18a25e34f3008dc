package spec

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// refKeys reads a list of references (network.backend, service.db) or
// plain names, returning each key with where it was written.
func (d *hclDecoder) refKeys(attr *hcl.Attribute, kind string) ([]string, []hcl.Range) {
	v, ok := d.markedValue(attr)
	if !ok {
		return nil, nil
	}
	v, _ = v.Unmark() // the elements keep theirs
	if !v.CanIterateElements() || v.Type().IsMapType() || v.Type().IsObjectType() {
		d.errorAt(attr.Expr.Range(), "Invalid value for "+attr.Name, fmt.Sprintf("A list of %s references is required, such as [%s.example].", kind, kind))
		return nil, nil
	}
	field := "key"
	if kind == "service" {
		field = "name"
	}
	var keys []string
	var ranges []hcl.Range
	i := 0
	for it := v.ElementIterator(); it.Next(); i++ {
		_, e := it.Element()
		e, marks := e.UnmarkDeep()
		r := elemRange(attr.Expr, i)
		if ref, wrong := wrongKindRef(marks, kind); wrong && e.Type().IsObjectType() {
			d.errorAt(r, "Wrong kind of reference", fmt.Sprintf("%s takes %s references, got %s.", attr.Name, kind, ref))
			continue
		}
		switch {
		case e.IsNull():
		case e.Type() == cty.String:
			keys = append(keys, e.AsString())
			ranges = append(ranges, r)
			continue
		case e.Type().IsObjectType() && e.Type().HasAttribute(field) && e.GetAttr(field).Type() == cty.String:
			keys = append(keys, e.GetAttr(field).AsString())
			ranges = append(ranges, r)
			continue
		}
		d.errorAt(r, "Invalid value for "+attr.Name, fmt.Sprintf("Element %d is not a %s reference such as %s.example.", i, kind, kind))
	}
	return keys, ranges
}

func (p *hclProject) decodeServiceNetworks(d *hclDecoder, s *Service, attr *hcl.Attribute, blocks []*hcl.Block) {
	where := map[string]hcl.Range{}
	add := func(key string, r hcl.Range, n *ServiceNetwork) {
		if prev, ok := where[key]; ok {
			d.errorAt(r, "Duplicate network", fmt.Sprintf("Network %q is already attached at %s.", key, posOf(prev)))
			return
		}
		where[key] = r
		if s.Networks == nil {
			s.Networks = map[string]*ServiceNetwork{}
		}
		s.Networks[key] = n
		d.mark("networks."+key, r)
	}
	keys, ranges := d.refKeys(attr, "network")
	for i, k := range keys {
		add(k, ranges[i], &ServiceNetwork{})
	}
	for _, b := range blocks {
		key := b.Labels[0]
		c := p.content(b.Body, hclServiceNetworkSchema)
		nd := d.within("networks." + key + ".")
		n := &ServiceNetwork{}
		nd.setStrList(c.Attributes["aliases"], &n.Aliases)
		nd.setStr(c.Attributes["ipv4_address"], &n.IPv4Address)
		if n.IPv4Address != "" {
			if ip, err := netip.ParseAddr(n.IPv4Address); err != nil || !ip.Is4() {
				d.errorAt(c.Attributes["ipv4_address"].Expr.Range(), "Invalid ipv4_address", fmt.Sprintf("%q is not an IPv4 address.", n.IPv4Address))
			}
		}
		add(key, b.LabelRanges[0], n)
	}
}

func (p *hclProject) decodeDependsOn(d *hclDecoder, s *Service, attr *hcl.Attribute, blocks []*hcl.Block) {
	where := map[string]hcl.Range{}
	add := func(name string, r hcl.Range, dep Dependency) {
		if prev, ok := where[name]; ok {
			d.errorAt(r, "Duplicate dependency", fmt.Sprintf("Service %q is already a dependency at %s.", name, posOf(prev)))
			return
		}
		if name == s.Name {
			d.errorAt(r, "Invalid dependency", fmt.Sprintf("Service %q cannot depend on itself.", name))
			return
		}
		where[name] = r
		if s.DependsOn == nil {
			s.DependsOn = map[string]Dependency{}
		}
		s.DependsOn[name] = dep
		d.mark("depends_on."+name, r)
	}
	names, ranges := d.refKeys(attr, "service")
	for i, n := range names {
		add(n, ranges[i], Dependency{Condition: ConditionStarted, Required: true})
	}
	for _, b := range blocks {
		name := b.Labels[0]
		c := p.content(b.Body, hclDependsOnSchema)
		dd := d.within("depends_on." + name + ".")
		dep := Dependency{Condition: ConditionStarted, Required: true}
		dd.setStr(c.Attributes["condition"], &dep.Condition)
		dd.setBool(c.Attributes["required"], &dep.Required)
		dd.setBool(c.Attributes["restart"], &dep.Restart)
		add(name, b.LabelRanges[0], dep)
	}
}

// decodeFileRefs reads secrets/configs: the list form (secrets =
// [secret.x]) and blocks (secret "x" { target = ... }).
func (p *hclProject) decodeFileRefs(d *hclDecoder, kind string, attr *hcl.Attribute, blocks []*hcl.Block) []FileRef {
	plural := kind + "s"
	var out []FileRef
	where := map[string]hcl.Range{}
	add := func(ref FileRef, r hcl.Range) {
		if prev, ok := where[ref.Source]; ok {
			d.errorAt(r, "Duplicate "+kind, fmt.Sprintf("%s %q is already mounted at %s.", kind, ref.Source, posOf(prev)))
			return
		}
		where[ref.Source] = r
		d.mark(fmt.Sprintf("%s[%d]", plural, len(out)), r)
		out = append(out, ref)
	}
	keys, ranges := d.refKeys(attr, kind)
	for i, k := range keys {
		add(FileRef{Source: k}, ranges[i])
	}
	for _, b := range blocks {
		c := p.content(b.Body, hclFileRefSchema)
		a := c.Attributes
		fd := d.within(fmt.Sprintf("%s[%d].", plural, len(out)))
		ref := FileRef{Source: b.Labels[0]}
		fd.setStr(a["target"], &ref.Target)
		fd.setStr(a["uid"], &ref.UID)
		fd.setStr(a["gid"], &ref.GID)
		if ma := a["mode"]; ma != nil {
			ref.Mode = fd.fileMode(ma)
		}
		add(ref, b.LabelRanges[0])
	}
	return out
}

// fileMode reads a mode: a string is octal ("0440"), a number is taken as
// it is (HCL has no octal literals, so 0440 would be decimal 440).
func (d *hclDecoder) fileMode(attr *hcl.Attribute) *uint32 {
	v, ok := d.value(attr)
	if !ok {
		return nil
	}
	if v.Type() == cty.String {
		n, err := strconv.ParseUint(v.AsString(), 8, 32)
		if err != nil || n > 0o7777 {
			d.errorAt(attr.Expr.Range(), "Invalid value for mode", fmt.Sprintf("%q is not an octal file mode such as \"0440\".", v.AsString()))
			return nil
		}
		m := uint32(n)
		return &m
	}
	n, ok := d.integer(attr)
	if !ok {
		return nil
	}
	if n < 0 || n > 0o7777 {
		d.errorAt(attr.Expr.Range(), "Invalid value for mode", "A file mode is an octal string such as \"0440\".")
		return nil
	}
	m := uint32(n)
	return &m
}
