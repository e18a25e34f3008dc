package spec

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Reference kinds: the root names of references in a stack file and what a
// person calls them in messages.
var hclRefKinds = map[string]string{
	"service": "service",
	"network": "network",
	"volume":  "volume",
	"secret":  "secret",
	"config":  "config",
	"var":     "input variable",
	"local":   "local value",
}

// hclNamespace is what one file can refer to: the services, networks,
// volumes, secrets and configs of the whole project (included files merge
// into one project) and the file's own variables and locals.
type hclNamespace struct {
	project *hclProject
	module  *hclModule
}

func (n *hclNamespace) declared(kind, name string) bool {
	switch kind {
	case "var":
		_, ok := n.module.variables[name]
		return ok
	case "local":
		_, ok := n.module.localExprs[name]
		return ok
	case "network":
		// The default network exists whenever a service needs it.
		if name == "default" {
			return true
		}
	}
	_, ok := n.project.decls[kind][name]
	return ok
}

// check reports references to things that are not declared, with the place
// of the reference, before evaluation turns them into vaguer messages.
func (n *hclNamespace) check(expr hcl.Expression) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, tr := range expr.Variables() {
		kind, ok := hclRefKinds[tr.RootName()]
		if !ok {
			continue
		}
		name, ok := refName(tr)
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid reference",
				Detail:   fmt.Sprintf("A reference to a %s needs a name, such as %s.example.", hclRefKinds[tr.RootName()], tr.RootName()),
				Subject:  tr.SourceRange().Ptr(),
			})
			continue
		}
		if !n.declared(tr.RootName(), name) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Reference to undeclared " + kind,
				Detail:   fmt.Sprintf("No %s named %q is declared in this stack.", kind, name),
				Subject:  tr.SourceRange().Ptr(),
			})
		}
	}
	return diags
}

// refName is the name in kind.name or kind["name"].
func refName(tr hcl.Traversal) (string, bool) {
	if len(tr) < 2 {
		return "", false
	}
	switch step := tr[1].(type) {
	case hcl.TraverseAttr:
		return step.Name, true
	case hcl.TraverseIndex:
		if step.Key.Type() == cty.String && step.Key.IsKnown() && !step.Key.IsNull() {
			return step.Key.AsString(), true
		}
	}
	return "", false
}

// refObjects builds the object a kind's references evaluate to: service.db
// is {name = "db"}, network.backend {name = <docker name>, key = "backend"}.
// A name that is not known yet (its file is evaluated later) is unknown.
func (p *hclProject) refObjects(kind string) cty.Value {
	objs := map[string]cty.Value{}
	for key := range p.decls[kind] {
		objs[key] = p.refObject(kind, key)
	}
	if kind == "network" {
		if _, ok := objs["default"]; !ok {
			objs["default"] = p.refObject(kind, "default")
		}
	}
	return cty.ObjectVal(objs)
}

func (p *hclProject) refObject(kind, key string) cty.Value {
	if kind == "service" {
		return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(key)})
	}
	name := cty.UnknownVal(cty.String)
	if n, ok := p.resourceNames[kind+"."+key]; ok {
		name = cty.StringVal(n)
	} else if kind == "network" && key == "default" {
		name = cty.StringVal(p.name + "_default")
	}
	return cty.ObjectVal(map[string]cty.Value{"name": name, "key": cty.StringVal(key)})
}

// serviceRefs returns the services referred to in a body, with where,
// sorted by name: each is an implicit dependency.
func serviceRefs(exprs []hcl.Expression) map[string]hcl.Range {
	out := map[string]hcl.Range{}
	for _, e := range exprs {
		for _, tr := range e.Variables() {
			if tr.RootName() != "service" {
				continue
			}
			if name, ok := refName(tr); ok {
				if _, seen := out[name]; !seen {
					out[name] = tr.SourceRange()
				}
			}
		}
	}
	return out
}

func sortedRangeKeys(m map[string]hcl.Range) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
