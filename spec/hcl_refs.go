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

// refObject is the value of kind.key, marked with what it refers to.
func (p *hclProject) refObject(kind, key string) cty.Value {
	mark := hclRef{kind: kind, key: key}
	if kind == "service" {
		return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(key)}).Mark(mark)
	}
	name := cty.UnknownVal(cty.String)
	if n, ok := p.resourceNames[kind+"."+key]; ok {
		name = cty.StringVal(n)
	} else if kind == "network" && key == "default" {
		name = cty.StringVal(p.name + "_default")
	}
	return cty.ObjectVal(map[string]cty.Value{"name": name, "key": cty.StringVal(key)}).Mark(mark)
}

// hclRef marks the value of a reference with what it refers to. A
// volume.creds and a secret.creds evaluate to the same object, so lists
// that take references read the mark to tell them apart; marks follow the
// value through locals, conditionals and functions.
type hclRef struct{ kind, key string }

func (r hclRef) String() string { return r.kind + "." + r.key }

// wrongKindRef returns the reference a value was made from when none of
// its references is of kind.
func wrongKindRef(marks cty.ValueMarks, kind string) (hclRef, bool) {
	var other []hclRef
	for m := range marks {
		ref, ok := m.(hclRef)
		if !ok {
			continue
		}
		if ref.kind == kind {
			return hclRef{}, false
		}
		other = append(other, ref)
	}
	if len(other) == 0 {
		return hclRef{}, false
	}
	sort.Slice(other, func(i, j int) bool { return other[i].String() < other[j].String() })
	return other[0], true
}

// serviceRefs returns the services referred to in exprs, directly or
// through the locals of module m, each at its first reference (for a
// local, where the local is used): each is an implicit dependency.
func serviceRefs(m *hclModule, exprs []hcl.Expression) map[string]hcl.Range {
	out := map[string]hcl.Range{}
	add := func(name string, r hcl.Range) {
		// Attributes come in map order; keep the earliest for a stable place.
		if prev, seen := out[name]; !seen || r.Start.Byte < prev.Start.Byte {
			out[name] = r
		}
	}
	for _, e := range exprs {
		for _, tr := range e.Variables() {
			name, ok := refName(tr)
			if !ok {
				continue
			}
			switch tr.RootName() {
			case "service":
				add(name, tr.SourceRange())
			case "local":
				for _, svc := range m.localServices(name) {
					add(svc, tr.SourceRange())
				}
			}
		}
	}
	return out
}

// localServices returns the services local.name refers to, directly or
// through other locals, sorted. A cycle of locals is reported elsewhere;
// here it only ends the walk.
func (m *hclModule) localServices(name string) []string {
	if found, ok := m.localServiceRefs[name]; ok {
		return found
	}
	services := map[string]bool{}
	visited := map[string]bool{}
	var visit func(string)
	visit = func(local string) {
		a := m.localExprs[local]
		if visited[local] || a == nil {
			return
		}
		visited[local] = true
		for _, tr := range a.Expr.Variables() {
			ref, ok := refName(tr)
			switch {
			case !ok:
			case tr.RootName() == "service":
				services[ref] = true
			case tr.RootName() == "local":
				visit(ref)
			}
		}
	}
	visit(name)
	found := sortedKeys(services)
	if m.localServiceRefs == nil {
		m.localServiceRefs = map[string][]string{}
	}
	m.localServiceRefs[name] = found
	return found
}

func sortedRangeKeys(m map[string]hcl.Range) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
