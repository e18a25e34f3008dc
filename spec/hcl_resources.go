package spec

import (
	"fmt"
	"net/netip"

	"github.com/hashicorp/hcl/v2"
)

var hclNetworkSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "name"}, {Name: "driver"}, {Name: "driver_opts"}, {Name: "labels"}, {Name: "internal"},
	{Name: "attachable"}, {Name: "enable_ipv6"}, {Name: "subnets"}, {Name: "external"},
}}

var hclVolumeSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "name"}, {Name: "driver"}, {Name: "driver_opts"}, {Name: "labels"}, {Name: "external"},
}}

var hclFileObjectSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "name"}, {Name: "file"}, {Name: "environment"}, {Name: "content"}, {Name: "external"},
}}

func (p *hclProject) content(body hcl.Body, schema *hcl.BodySchema) *hcl.BodyContent {
	c, diags := body.Content(schema)
	p.diags = append(p.diags, diags...)
	return c
}

func (p *hclProject) decodeNetwork(decl hclDecl, ctx *hcl.EvalContext) *Network {
	key := decl.block.Labels[0]
	c := p.content(decl.block.Body, hclNetworkSchema)
	d := p.decoder(decl.module, ctx, nil)
	n := &Network{Key: key, Name: p.resourceNames["network."+key]}
	a := c.Attributes
	d.setStr(a["driver"], &n.Driver)
	d.setStrMap(a["driver_opts"], &n.DriverOpts)
	d.setStrMap(a["labels"], &n.Labels)
	d.setBool(a["internal"], &n.Internal)
	d.setBool(a["attachable"], &n.Attachable)
	d.setBool(a["enable_ipv6"], &n.EnableIPv6)
	d.setBool(a["external"], &n.External)
	d.setStrList(a["subnets"], &n.Subnets)
	for i, s := range n.Subnets {
		if _, err := netip.ParsePrefix(s); err != nil {
			d.errorAt(elemRange(a["subnets"].Expr, i), "Invalid subnet", fmt.Sprintf("%q is not a subnet in CIDR form such as \"172.30.0.0/24\".", s))
		}
	}
	if n.External {
		p.checkExternalOnly(c, "network", "name", "external")
	}
	return n
}

func (p *hclProject) decodeVolume(decl hclDecl, ctx *hcl.EvalContext) *Volume {
	key := decl.block.Labels[0]
	c := p.content(decl.block.Body, hclVolumeSchema)
	d := p.decoder(decl.module, ctx, nil)
	v := &Volume{Key: key, Name: p.resourceNames["volume."+key]}
	a := c.Attributes
	d.setStr(a["driver"], &v.Driver)
	d.setStrMap(a["driver_opts"], &v.DriverOpts)
	d.setStrMap(a["labels"], &v.Labels)
	d.setBool(a["external"], &v.External)
	if v.External {
		p.checkExternalOnly(c, "volume", "name", "external")
	}
	return v
}

// checkExternalOnly rejects settings on an external object: it exists
// already and the stack does not create it.
func (p *hclProject) checkExternalOnly(c *hcl.BodyContent, kind string, allowed ...string) {
	for _, a := range sortedAttrs(c.Attributes) {
		ok := false
		for _, name := range allowed {
			ok = ok || a.Name == name
		}
		if !ok {
			p.errorAt(a.NameRange.Ptr(), "Setting on an external "+kind, fmt.Sprintf("An external %s is not created by the stack, so %s cannot be set.", kind, a.Name))
		}
	}
}

type hclFileObject struct {
	name, file, environment, content string
	external                         bool
}

// decodeFileObject reads a secret or config: exactly one of file,
// environment and content, unless external.
func (p *hclProject) decodeFileObject(decl hclDecl, ctx *hcl.EvalContext) hclFileObject {
	b := decl.block
	key := b.Labels[0]
	c := p.content(b.Body, hclFileObjectSchema)
	d := p.decoder(decl.module, ctx, nil)
	f := hclFileObject{name: p.resourceNames[b.Type+"."+key]}
	a := c.Attributes
	d.setStr(a["file"], &f.file)
	d.setStr(a["environment"], &f.environment)
	d.setStr(a["content"], &f.content)
	d.setBool(a["external"], &f.external)
	if f.file != "" {
		f.file = resolvePath(decl.module.dir, expandHome(f.file, p.environ))
	}
	sources := 0
	for _, s := range []string{"file", "environment", "content"} {
		if a[s] != nil {
			sources++
		}
	}
	switch {
	case f.external:
		p.checkExternalOnly(c, b.Type, "name", "external")
	case sources == 0:
		p.errorAt(b.DefRange.Ptr(), "Missing "+b.Type+" source", fmt.Sprintf("%s %q needs one of file, environment or content, or external = true.", b.Type, key))
	case sources > 1:
		p.errorAt(b.DefRange.Ptr(), "Conflicting "+b.Type+" sources", fmt.Sprintf("%s %q must set only one of file, environment and content.", b.Type, key))
	}
	return f
}
