package spec

import (
	"fmt"
	"net/netip"

	"github.com/hashicorp/hcl/v2"
)

var hclNetworkSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "name"}, {Name: "driver"}, {Name: "driver_opts"}, {Name: "labels"}, {Name: "internal"},
		{Name: "attachable"}, {Name: "enable_ipv6"}, {Name: "enable_ipv4"}, {Name: "subnets"}, {Name: "external"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "ipam"}},
}

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
	if v, ok := d.boolean(a["enable_ipv4"]); ok {
		n.EnableIPv4 = &v
	}
	var subnets []string
	d.setStrList(a["subnets"], &subnets)
	for i, s := range subnets {
		if _, err := netip.ParsePrefix(s); err != nil {
			d.errorAt(elemRange(a["subnets"].Expr, i), "Invalid subnet", fmt.Sprintf("%q is not a subnet in CIDR form such as \"172.30.0.0/24\".", s))
		}
		n.IPAM.Pools = append(n.IPAM.Pools, IPAMPool{Subnet: s})
	}
	if ib := p.singleBlock(c.Blocks, "ipam"); ib != nil {
		if len(subnets) > 0 {
			d.errorAt(a["subnets"].Expr.Range(), "Conflicting subnets", "Give the subnets either in subnets or in ipam config blocks, not both.")
		}
		n.IPAM = p.decodeIPAM(d, ib)
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

func (p *hclProject) decodeIPAM(d *hclDecoder, b *hcl.Block) IPAM {
	c := p.content(b.Body, &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "driver"}, {Name: "options"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "config"}},
	})
	var ipam IPAM
	d.setStr(c.Attributes["driver"], &ipam.Driver)
	d.setStrMap(c.Attributes["options"], &ipam.Options)
	for _, cb := range sortedBlocks(c.Blocks, "config") {
		pc := p.content(cb.Body, &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
			{Name: "subnet"}, {Name: "ip_range"}, {Name: "gateway"}, {Name: "aux_addresses"},
		}})
		a := pc.Attributes
		var pool IPAMPool
		d.setStr(a["subnet"], &pool.Subnet)
		d.setStr(a["ip_range"], &pool.IPRange)
		d.setStr(a["gateway"], &pool.Gateway)
		d.setStrMap(a["aux_addresses"], &pool.AuxAddresses)
		for _, f := range []struct {
			name, value string
			prefix      bool
		}{{"subnet", pool.Subnet, true}, {"ip_range", pool.IPRange, true}, {"gateway", pool.Gateway, false}} {
			if f.value == "" {
				continue
			}
			var err error
			if f.prefix {
				_, err = netip.ParsePrefix(f.value)
			} else {
				_, err = netip.ParseAddr(f.value)
			}
			if err != nil {
				d.errorAt(a[f.name].Expr.Range(), "Invalid "+f.name, fmt.Sprintf("%q is not an address or subnet: %v.", f.value, err))
			}
		}
		for name, addr := range pool.AuxAddresses {
			if _, err := netip.ParseAddr(addr); err != nil {
				d.errorAt(a["aux_addresses"].Expr.Range(), "Invalid aux_addresses", fmt.Sprintf("%s: %q is not an IP address.", name, addr))
			}
		}
		ipam.Pools = append(ipam.Pools, pool)
	}
	return ipam
}
