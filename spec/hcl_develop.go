package spec

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// HCL has compose's develop.watch as blocks:
//
//	develop {
//	  watch {
//	    action = "sync"
//	    path   = "./src"
//	    target = "/app/src"
//	    ignore = ["*.tmp"]
//	  }
//	  watch {
//	    action = "sync+exec"
//	    path   = "./conf"
//	    target = "/etc/app"
//	    exec { command = ["/app/reload"] }
//	  }
//	}

var hclDevelopSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "watch"}}}

var hclWatchSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "action", Required: true}, {Name: "path", Required: true}, {Name: "target"},
	{Name: "ignore"}, {Name: "include"}, {Name: "initial_sync"},
}, Blocks: []hcl.BlockHeaderSchema{{Type: "exec"}}}

var hclWatchExecSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "command", Required: true}, {Name: "user"}, {Name: "working_dir"},
	{Name: "privileged"}, {Name: "environment"},
}}

// decodeDevelop reads a develop block; paths resolve against the module's
// folder.
func (p *hclProject) decodeDevelop(d *hclDecoder, m *hclModule, b *hcl.Block) *Develop {
	c := p.content(b.Body, hclDevelopSchema)
	d.mark("", b.DefRange)
	dev := &Develop{}
	for i, wb := range sortedBlocks(c.Blocks, "watch") {
		wd := d.within(fmt.Sprintf("watch[%d].", i))
		wd.mark("", wb.DefRange)
		wc := p.content(wb.Body, hclWatchSchema)
		a := wc.Attributes
		r := WatchRule{}
		wd.setStr(a["action"], &r.Action)
		switch r.Action {
		case "", WatchSync, WatchRebuild, WatchRestart, WatchSyncRestart, WatchSyncExec:
		default:
			wd.errorAt(a["action"].Expr.Range(), "Invalid value for action",
				fmt.Sprintf("Unknown action %q; want sync, rebuild, restart, sync+restart or sync+exec.", r.Action))
		}
		wd.setStr(a["path"], &r.Path)
		if r.Path != "" {
			r.Path = resolvePath(m.dir, expandHome(r.Path, p.environ))
		}
		wd.setStr(a["target"], &r.Target)
		wd.setStrList(a["ignore"], &r.Ignore)
		wd.setStrList(a["include"], &r.Include)
		wd.setBool(a["initial_sync"], &r.InitialSync)
		if eb := p.singleBlock(wc.Blocks, "exec"); eb != nil {
			ed := wd.within("exec.")
			ed.mark("", eb.DefRange)
			ec := p.content(eb.Body, hclWatchExecSchema)
			ea := ec.Attributes
			e := &WatchExec{Command: ed.command(ea["command"])}
			ed.setStr(ea["user"], &e.User)
			ed.setStr(ea["working_dir"], &e.WorkingDir)
			ed.setBool(ea["privileged"], &e.Privileged)
			ed.setStrMap(ea["environment"], &e.Environment)
			r.Exec = e
		}
		dev.Watch = append(dev.Watch, r)
	}
	return dev
}

// develop writes the develop block decodeDevelop reads.
func (w *hclWriter) develop(b *hclwrite.Body, dev *Develop) {
	if dev == nil {
		return
	}
	db := b.AppendNewBlock("develop", nil).Body()
	for _, r := range dev.Watch {
		wb := db.AppendNewBlock("watch", nil).Body()
		setString(wb, "action", r.Action)
		setString(wb, "path", w.relPath(r.Path))
		setString(wb, "target", r.Target)
		setList(wb, "ignore", r.Ignore)
		setList(wb, "include", r.Include)
		setBool(wb, "initial_sync", r.InitialSync)
		if e := r.Exec; e != nil {
			eb := wb.AppendNewBlock("exec", nil).Body()
			eb.SetAttributeValue("command", stringList(e.Command))
			setString(eb, "user", e.User)
			setString(eb, "working_dir", e.WorkingDir)
			setBool(eb, "privileged", e.Privileged)
			setMap(eb, "environment", e.Environment)
		}
	}
}
