package spec

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// The HCL form of lifecycle hooks, providers and attach, with Compose's
// attribute names:
//
//	service "web" {
//	  attach = false
//	  post_start {
//	    command     = ["sh", "-c", "echo started"]
//	    user        = "root"
//	    privileged  = false
//	    working_dir = "/app"
//	    environment = { STAGE = "post" }
//	  }
//	  pre_stop { command = ["sh", "-c", "flush"] }
//	  pre_start { image = "migrate:1", command = ["migrate"] }
//	}
//	service "database" {
//	  provider {
//	    type    = "awesomecloud"
//	    options = { type = "mysql", size = "256", tag = ["a", "b"] }
//	  }
//	}
//
// post_start, pre_stop and pre_start blocks repeat and run in order.
func init() {
	hclServiceSchema.Attributes = append(hclServiceSchema.Attributes, hcl.AttributeSchema{Name: "attach"})
	hclServiceSchema.Blocks = append(hclServiceSchema.Blocks,
		hcl.BlockHeaderSchema{Type: "post_start"}, hcl.BlockHeaderSchema{Type: "pre_stop"},
		hcl.BlockHeaderSchema{Type: "pre_start"}, hcl.BlockHeaderSchema{Type: "provider"})
}

var hclHookAttributes = []hcl.AttributeSchema{
	{Name: "command", Required: true}, {Name: "user"}, {Name: "privileged"}, {Name: "working_dir"}, {Name: "environment"},
}

var hclHookSchema = &hcl.BodySchema{Attributes: hclHookAttributes}

var hclPreStartSchema = &hcl.BodySchema{Attributes: append([]hcl.AttributeSchema{
	{Name: "image"}, {Name: "per_replica"},
}, hclHookAttributes...)}

var hclProviderSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "type", Required: true}, {Name: "options"},
}}

// decodeHooks reads a service's hook, provider and attach settings.
func (p *hclProject) decodeHooks(d *hclDecoder, s *Service, c *hcl.BodyContent) {
	if attr := c.Attributes["attach"]; attr != nil {
		if v, ok := d.boolean(attr); ok {
			s.Attach = &v
		}
	}
	for i, b := range sortedBlocks(c.Blocks, "post_start") {
		s.PostStart = append(s.PostStart, p.decodeHook(d.within(fmt.Sprintf("post_start[%d].", i)), b, hclHookSchema, nil))
	}
	for i, b := range sortedBlocks(c.Blocks, "pre_stop") {
		s.PreStop = append(s.PreStop, p.decodeHook(d.within(fmt.Sprintf("pre_stop[%d].", i)), b, hclHookSchema, nil))
	}
	for i, b := range sortedBlocks(c.Blocks, "pre_start") {
		var h PreStartHook
		h.Hook = p.decodeHook(d.within(fmt.Sprintf("pre_start[%d].", i)), b, hclPreStartSchema, func(dd *hclDecoder, a hcl.Attributes) {
			dd.setStr(a["image"], &h.Image)
			dd.setBool(a["per_replica"], &h.PerReplica)
		})
		s.PreStart = append(s.PreStart, h)
	}
	if b := p.singleBlock(c.Blocks, "provider"); b != nil {
		s.Provider = p.decodeProvider(d.within("provider."), b)
	}
	s.UnsetEnv = unsetEnv(d, c.Attributes["environment"])
	for _, k := range s.UnsetEnv {
		delete(s.Environment, k)
	}
	if len(s.Environment) == 0 {
		s.Environment = nil
	}
}

// unsetEnv returns the keys of environment set to null: `VAR = null`
// unsets VAR in the container, as `environment: [VAR]` with VAR unset does
// in Compose. The attribute was evaluated (and its errors reported) before.
func unsetEnv(d *hclDecoder, attr *hcl.Attribute) []string {
	if attr == nil {
		return nil
	}
	v, diags := attr.Expr.Value(d.ctx)
	if diags.HasErrors() || v.IsNull() || !v.IsKnown() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		return nil
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if e.IsNull() {
			out = append(out, k.AsString())
		}
	}
	sort.Strings(out)
	return out
}

func (p *hclProject) decodeHook(d *hclDecoder, b *hcl.Block, schema *hcl.BodySchema, more func(*hclDecoder, hcl.Attributes)) Hook {
	c := p.content(b.Body, schema)
	d.mark("", b.DefRange)
	a := c.Attributes
	h := Hook{Command: d.command(a["command"])}
	d.setStr(a["user"], &h.User)
	d.setBool(a["privileged"], &h.Privileged)
	d.setStr(a["working_dir"], &h.WorkingDir)
	d.setStrMap(a["environment"], &h.Environment)
	if more != nil {
		more(d, a)
	}
	return h
}

// decodeProvider reads provider options: each a string (or number, or
// bool) or a list of them, as Compose's options may repeat.
func (p *hclProject) decodeProvider(d *hclDecoder, b *hcl.Block) *Provider {
	c := p.content(b.Body, hclProviderSchema)
	d.mark("", b.DefRange)
	pr := &Provider{}
	d.setStr(c.Attributes["type"], &pr.Type)
	attr := c.Attributes["options"]
	v, ok := d.value(attr)
	if !ok {
		return pr
	}
	if !v.Type().IsObjectType() && !v.Type().IsMapType() {
		d.errorAt(attr.Expr.Range(), "Invalid value for options", "A map of strings or lists of strings is required.")
		return pr
	}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if e.IsNull() {
			continue
		}
		var vals []string
		if e.Type().IsTupleType() || e.Type().IsListType() {
			l, ok := d.toStrList(attr, e)
			if !ok {
				return pr
			}
			vals = l
		} else {
			s, err := convertString(e)
			if err != nil {
				d.errorAt(attr.Expr.Range(), "Invalid value for options", fmt.Sprintf("The value of %q must be a string or a list of strings: %s.", k.AsString(), err))
				return pr
			}
			vals = []string{s}
		}
		if pr.Options == nil {
			pr.Options = map[string][]string{}
		}
		pr.Options[k.AsString()] = vals
	}
	return pr
}

// hooks writes what decodeHooks reads.
func (w *hclWriter) hooks(b *hclwrite.Body, s *Service) {
	if len(s.UnsetEnv) > 0 {
		vals := map[string]cty.Value{}
		for k, v := range s.Environment {
			vals[k] = cty.StringVal(v)
		}
		for _, k := range s.UnsetEnv {
			vals[k] = cty.NullVal(cty.String)
		}
		b.SetAttributeValue("environment", cty.ObjectVal(vals))
	}
	if s.Attach != nil {
		b.SetAttributeValue("attach", cty.BoolVal(*s.Attach))
	}
	for _, h := range s.PreStart {
		hb := b.AppendNewBlock("pre_start", nil).Body()
		setString(hb, "image", h.Image)
		writeHook(hb, h.Hook)
		setBool(hb, "per_replica", h.PerReplica)
	}
	for _, h := range s.PostStart {
		writeHook(b.AppendNewBlock("post_start", nil).Body(), h)
	}
	for _, h := range s.PreStop {
		writeHook(b.AppendNewBlock("pre_stop", nil).Body(), h)
	}
	if pr := s.Provider; pr != nil {
		pb := b.AppendNewBlock("provider", nil).Body()
		setString(pb, "type", pr.Type)
		if len(pr.Options) > 0 {
			keys := make([]string, 0, len(pr.Options))
			for k := range pr.Options {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			vals := map[string]cty.Value{}
			for _, k := range keys {
				if vs := pr.Options[k]; len(vs) == 1 {
					vals[k] = cty.StringVal(vs[0])
				} else {
					vals[k] = stringList(vs)
				}
			}
			pb.SetAttributeValue("options", cty.ObjectVal(vals))
		}
	}
}

func writeHook(b *hclwrite.Body, h Hook) {
	b.SetAttributeValue("command", stringList(h.Command))
	setString(b, "user", h.User)
	setBool(b, "privileged", h.Privileged)
	setString(b, "working_dir", h.WorkingDir)
	setMap(b, "environment", h.Environment)
}
