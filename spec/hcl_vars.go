package spec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

var hclVariableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"}, {Name: "default"}, {Name: "description"}, {Name: "sensitive"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var hclValidationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "condition", Required: true}, {Name: "error_message", Required: true},
	},
}

// hclVariable is a declared input variable.
type hclVariable struct {
	name        string
	block       *hcl.Block
	ty          cty.Type // cty.DynamicPseudoType when no type is given
	def         *hcl.Attribute
	validations []*hcl.BodyContent
}

// hclVarValue is a value given for a variable and where it came from.
type hclVarValue struct {
	value cty.Value
	raw   *string // set for values given as strings (--var, STACK_VAR_*)
	rng   *hcl.Range
	from  string
}

func (p *hclProject) declareVariable(m *hclModule, b *hcl.Block) {
	name := b.Labels[0]
	if !hclsyntax.ValidIdentifier(name) {
		p.errorAt(b.LabelRanges[0].Ptr(), "Invalid variable name", fmt.Sprintf("%q is not a valid name: use letters, digits, '_' and '-', starting with a letter.", name))
		return
	}
	if prev, ok := m.variables[name]; ok {
		p.errorAt(b.DefRange.Ptr(), "Duplicate variable", fmt.Sprintf("Variable %q is already declared at %s.", name, posOf(prev.block.DefRange)))
		return
	}
	content, diags := b.Body.Content(hclVariableSchema)
	p.diags = append(p.diags, diags...)
	v := &hclVariable{name: name, block: b, ty: cty.DynamicPseudoType, def: content.Attributes["default"]}
	if a := content.Attributes["type"]; a != nil {
		ty, diags := typeexpr.TypeConstraint(a.Expr)
		p.diags = append(p.diags, diags...)
		if !diags.HasErrors() {
			v.ty = ty
		}
	}
	for _, attr := range []string{"description", "sensitive"} {
		if a := content.Attributes[attr]; a != nil {
			if _, diags := a.Expr.Value(nil); diags.HasErrors() {
				p.diags = append(p.diags, diags...)
			}
		}
	}
	for _, vb := range content.Blocks {
		vc, diags := vb.Body.Content(hclValidationSchema)
		p.diags = append(p.diags, diags...)
		if !diags.HasErrors() {
			v.validations = append(v.validations, vc)
		}
	}
	m.variables[name] = v
}

// rootVarValues gathers the values for the main file's variables, lowest
// precedence first: STACK_VAR_<name>, --var-file files, --var.
func (p *hclProject) rootVarValues(m *hclModule) map[string]hclVarValue {
	out := map[string]hclVarValue{}
	for name := range m.variables {
		if s, ok := p.environ["STACK_VAR_"+name]; ok {
			out[name] = hclVarValue{raw: &s, from: "environment variable STACK_VAR_" + name}
		}
	}
	for _, file := range p.opts.VarFiles {
		f, diags := p.parser.ParseHCLFile(file)
		p.diags = append(p.diags, diags...)
		if f == nil || diags.HasErrors() {
			continue
		}
		attrs, diags := f.Body.JustAttributes()
		p.diags = append(p.diags, diags...)
		for _, a := range sortedAttrs(attrs) {
			if _, ok := m.variables[a.Name]; !ok {
				p.errorAt(a.NameRange.Ptr(), "Value for undeclared variable", fmt.Sprintf("The stack declares no variable named %q.", a.Name))
				continue
			}
			v, diags := a.Expr.Value(&hcl.EvalContext{Functions: m.functions})
			p.diags = append(p.diags, diags...)
			if !diags.HasErrors() {
				out[a.Name] = hclVarValue{value: v, rng: a.Expr.Range().Ptr(), from: "var file " + file}
			}
		}
	}
	for _, name := range sortedKeys(p.opts.Vars) {
		s := p.opts.Vars[name]
		if _, ok := m.variables[name]; !ok {
			p.errorAt(nil, "Value for undeclared variable", fmt.Sprintf("--var %s: the stack declares no variable named %q.", name, name))
			continue
		}
		out[name] = hclVarValue{raw: &s, from: "--var " + name}
	}
	return out
}

// resolveVariables sets every variable of a file from its given value or
// default, converted to its type, and checks its validation rules.
func (p *hclProject) resolveVariables(m *hclModule, inputs map[string]hclVarValue) {
	if m == p.root {
		inputs = p.rootVarValues(m)
	} else {
		for _, name := range sortedKeys(inputs) {
			if _, ok := m.variables[name]; !ok {
				p.errorAt(inputs[name].rng, "Input for undeclared variable", fmt.Sprintf("%s declares no variable named %q.", m.file, name))
			}
		}
	}
	m.vars = map[string]cty.Value{}
	given := map[string]hclVarValue{}
	for _, name := range sortedKeys(m.variables) {
		v := m.variables[name]
		in, ok := inputs[name]
		if !ok {
			if v.def == nil {
				detail := fmt.Sprintf("Variable %q has no default: set it with --var %s=..., a --var-file, or STACK_VAR_%s.", name, name, name)
				if m != p.root {
					detail = fmt.Sprintf("Variable %q has no default: set it in the inputs of include %q.", name, m.include.Labels[0])
				}
				p.errorAt(v.block.DefRange.Ptr(), "No value for required variable", detail)
				continue
			}
			val, diags := v.def.Expr.Value(&hcl.EvalContext{Functions: m.functions})
			p.diags = append(p.diags, diags...)
			if diags.HasErrors() {
				continue
			}
			in = hclVarValue{value: val, rng: v.def.Expr.Range().Ptr(), from: "default"}
		}
		val, ok := p.convertVar(v, in)
		if !ok {
			continue
		}
		m.vars[name] = val
		given[name] = in
	}
	for _, name := range sortedKeys(m.variables) {
		if _, ok := m.vars[name]; ok {
			p.checkValidations(m, m.variables[name], given[name])
		}
	}
}

func (p *hclProject) convertVar(v *hclVariable, in hclVarValue) (cty.Value, bool) {
	val := in.value
	subject := in.rng
	if subject == nil {
		subject = v.block.DefRange.Ptr()
	}
	if in.raw != nil {
		parsed, err := parseVarString(*in.raw, v.ty)
		if err != nil {
			p.errorAt(subject, "Invalid value for variable", fmt.Sprintf("%s: %v.", in.from, err))
			return cty.NilVal, false
		}
		val = parsed
	}
	out, err := convert.Convert(val, v.ty)
	if err != nil {
		p.errorAt(subject, "Invalid value for variable", fmt.Sprintf("Variable %q (%s): %s is required: %v.", v.name, in.from, v.ty.FriendlyName(), err))
		return cty.NilVal, false
	}
	return out, true
}

// parseVarString reads a --var or STACK_VAR_ value: strings as they are,
// other types as HCL expressions ("3", "true", "[\"a\"]").
func parseVarString(s string, ty cty.Type) (cty.Value, error) {
	if ty == cty.String || ty == cty.DynamicPseudoType {
		return cty.StringVal(s), nil
	}
	expr, diags := hclsyntax.ParseExpression([]byte(s), "<value>", hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilVal, fmt.Errorf("%q is not a valid %s", s, ty.FriendlyName())
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, fmt.Errorf("%q is not a valid %s", s, ty.FriendlyName())
	}
	return v, nil
}

func (p *hclProject) checkValidations(m *hclModule, v *hclVariable, in hclVarValue) {
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{v.name: m.vars[v.name]})},
		Functions: m.functions,
	}
	for _, rule := range v.validations {
		cond := rule.Attributes["condition"]
		ok, diags := cond.Expr.Value(ctx)
		p.diags = append(p.diags, diags...)
		if diags.HasErrors() {
			continue
		}
		ok, err := convert.Convert(ok, cty.Bool)
		if err != nil || ok.IsNull() || !ok.IsKnown() {
			p.errorAt(cond.Expr.Range().Ptr(), "Invalid validation condition", "The condition must be true or false.")
			continue
		}
		if ok.True() {
			continue
		}
		msg := "The value does not pass the validation rule."
		if mv, diags := rule.Attributes["error_message"].Expr.Value(ctx); !diags.HasErrors() && mv.Type() == cty.String && mv.IsKnown() && !mv.IsNull() {
			msg = mv.AsString()
		}
		subject := in.rng
		if subject == nil {
			subject = cond.Expr.Range().Ptr()
		}
		p.errorAt(subject, "Invalid value for variable", fmt.Sprintf("var.%s (%s): %s (rule at %s)", v.name, in.from, msg, posOf(cond.Expr.Range())))
	}
}

// evalLocals evaluates locals in dependency order, found from the
// references in each expression; a cycle is an error naming its path.
func (p *hclProject) evalLocals(m *hclModule) {
	m.locals = map[string]cty.Value{}
	deps := map[string][]string{}
	for name, a := range m.localExprs {
		for _, tr := range a.Expr.Variables() {
			if tr.RootName() != "local" {
				continue
			}
			if dep, ok := refName(tr); ok {
				if _, declared := m.localExprs[dep]; declared {
					deps[name] = append(deps[name], dep)
				}
			}
		}
		sort.Strings(deps[name])
	}
	order, cycle := topoSort(sortedKeys(m.localExprs), deps)
	if cycle != nil {
		path := make([]string, len(cycle))
		for i, n := range cycle {
			path[i] = "local." + n
		}
		p.errorAt(m.localExprs[cycle[0]].NameRange.Ptr(), "Cycle in locals", strings.Join(path, " -> ")+".")
		return
	}
	failed := map[string]bool{}
	for _, name := range order {
		a := m.localExprs[name]
		blocked := false
		for _, dep := range deps[name] {
			blocked = blocked || failed[dep]
		}
		if blocked {
			failed[name] = true
			continue
		}
		d := p.decoder(m, p.evalContext(m), nil)
		before := len(p.diags)
		v, ok := d.evalMarked(a.Expr) // a local of references stays one
		if !ok {
			if p.diags[before:].HasErrors() {
				failed[name] = true
				continue
			}
			v = cty.NullVal(cty.DynamicPseudoType) // a local may be null
		}
		m.locals[name] = v
	}
}

// topoSort orders names so each comes after its deps; on a cycle it returns
// the cycle's path with the first name repeated at the end.
func topoSort(names []string, deps map[string][]string) ([]string, []string) {
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var order, stack, cycle []string
	var visit func(string) bool
	visit = func(n string) bool {
		switch state[n] {
		case done:
			return true
		case visiting:
			for i, s := range stack {
				if s == n {
					cycle = append(append([]string{}, stack[i:]...), n)
				}
			}
			return false
		}
		state[n] = visiting
		stack = append(stack, n)
		for _, d := range deps[n] {
			if !visit(d) {
				return false
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		order = append(order, n)
		return true
	}
	for _, n := range names {
		if !visit(n) {
			return nil, cycle
		}
	}
	return order, nil
}
