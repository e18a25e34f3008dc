package spec

import (
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// The HCL form of Deploy, the keys only a swarm reads:
//
//	swarm {
//	  mode          = "global"
//	  endpoint_mode = "dnsrr"
//	  labels        = { team = "ml" }
//	  restart_delay = "5s"
//	  restart_window = "1m"
//	  update { parallelism = 1  delay = "10s"  order = "start-first" }
//	  rollback { ... }
//	  placement { constraints = ["node.role == worker"]  preferences = ["node.labels.zone"]  max_replicas_per_node = 1 }
//	}
var hclUpdateAttributes = []hcl.AttributeSchema{
	{Name: "parallelism"}, {Name: "delay"}, {Name: "failure_action"}, {Name: "monitor"},
	{Name: "max_failure_ratio"}, {Name: "order"},
}

func (p *hclProject) decodeDeploy(d *hclDecoder, b *hcl.Block) *Deploy {
	c := p.content(b.Body, &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "mode"}, {Name: "endpoint_mode"}, {Name: "labels"}, {Name: "restart_delay"}, {Name: "restart_window"},
		},
		Blocks: []hcl.BlockHeaderSchema{{Type: "update"}, {Type: "rollback"}, {Type: "placement"}},
	})
	d.mark("", b.DefRange)
	a := c.Attributes
	dep := &Deploy{}
	d.setStr(a["mode"], &dep.Mode)
	d.setStr(a["endpoint_mode"], &dep.EndpointMode)
	d.setStrMap(a["labels"], &dep.Labels)
	if v, ok := d.duration(a["restart_delay"]); ok {
		dep.RestartDelay = &v
	}
	if v, ok := d.duration(a["restart_window"]); ok {
		dep.RestartWindow = &v
	}
	if ub := p.singleBlock(c.Blocks, "update"); ub != nil {
		dep.UpdateConfig = p.decodeUpdate(d.within("update."), ub)
	}
	if rb := p.singleBlock(c.Blocks, "rollback"); rb != nil {
		dep.RollbackConfig = p.decodeUpdate(d.within("rollback."), rb)
	}
	if pb := p.singleBlock(c.Blocks, "placement"); pb != nil {
		pc := p.content(pb.Body, &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
			{Name: "constraints"}, {Name: "preferences"}, {Name: "max_replicas_per_node"},
		}})
		d.setStrList(pc.Attributes["constraints"], &dep.Placement.Constraints)
		d.setStrList(pc.Attributes["preferences"], &dep.Placement.Preferences)
		if n, ok := d.integer(pc.Attributes["max_replicas_per_node"]); ok && n >= 0 {
			dep.Placement.MaxReplicas = uint64(n)
		}
	}
	if dep.empty() {
		return nil
	}
	return dep
}

func (p *hclProject) decodeUpdate(d *hclDecoder, b *hcl.Block) *UpdateConfig {
	c := p.content(b.Body, &hcl.BodySchema{Attributes: hclUpdateAttributes})
	d.mark("", b.DefRange)
	a := c.Attributes
	u := &UpdateConfig{}
	if n, ok := d.integer(a["parallelism"]); ok && n >= 0 {
		v := uint64(n)
		u.Parallelism = &v
	}
	d.setDuration(a["delay"], &u.Delay)
	d.setStr(a["failure_action"], &u.FailureAction)
	d.setDuration(a["monitor"], &u.Monitor)
	if f, ok := d.float(a["max_failure_ratio"]); ok {
		u.MaxFailureRatio = f
	}
	d.setStr(a["order"], &u.Order)
	return u
}

// deploy writes the swarm block of a service.
func (w *hclWriter) deploy(b *hclwrite.Body, dep *Deploy) {
	if dep == nil {
		return
	}
	db := b.AppendNewBlock("swarm", nil).Body()
	setString(db, "mode", dep.Mode)
	setString(db, "endpoint_mode", dep.EndpointMode)
	setMap(db, "labels", dep.Labels)
	setDurationPtr(db, "restart_delay", dep.RestartDelay)
	setDurationPtr(db, "restart_window", dep.RestartWindow)
	for _, u := range []struct {
		name string
		cfg  *UpdateConfig
	}{{"update", dep.UpdateConfig}, {"rollback", dep.RollbackConfig}} {
		if u.cfg == nil {
			continue
		}
		ub := db.AppendNewBlock(u.name, nil).Body()
		if u.cfg.Parallelism != nil {
			ub.SetAttributeValue("parallelism", cty.NumberUIntVal(*u.cfg.Parallelism))
		}
		setDuration(ub, "delay", u.cfg.Delay)
		setString(ub, "failure_action", u.cfg.FailureAction)
		setDuration(ub, "monitor", u.cfg.Monitor)
		if u.cfg.MaxFailureRatio != 0 {
			ub.SetAttributeValue("max_failure_ratio", cty.NumberFloatVal(u.cfg.MaxFailureRatio))
		}
		setString(ub, "order", u.cfg.Order)
	}
	pl := dep.Placement
	if len(pl.Constraints) > 0 || len(pl.Preferences) > 0 || pl.MaxReplicas != 0 {
		pb := db.AppendNewBlock("placement", nil).Body()
		setList(pb, "constraints", pl.Constraints)
		setList(pb, "preferences", pl.Preferences)
		if pl.MaxReplicas != 0 {
			pb.SetAttributeValue("max_replicas_per_node", cty.NumberUIntVal(pl.MaxReplicas))
		}
	}
}

func setDurationPtr(b *hclwrite.Body, name string, d *time.Duration) {
	if d != nil {
		b.SetAttributeValue(name, cty.StringVal(d.String()))
	}
}
