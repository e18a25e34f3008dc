package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

var hclRootSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "name"}},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "include", LabelNames: []string{"name"}},
		{Type: "network", LabelNames: []string{"name"}},
		{Type: "volume", LabelNames: []string{"name"}},
		{Type: "secret", LabelNames: []string{"name"}},
		{Type: "config", LabelNames: []string{"name"}},
		{Type: "service", LabelNames: []string{"name"}},
	},
}

var hclIncludeSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "source", Required: true}, {Name: "inputs"}},
}

// hclProject is the state of loading one HCL stack and its included files.
type hclProject struct {
	opts    LoadOptions
	parser  *hclparse.Parser
	environ map[string]string
	diags   hcl.Diagnostics
	name    string
	root    *hclModule
	// modules in evaluation order: a file before the files it includes.
	modules []*hclModule
	// decls maps a kind ("service", "network", ...) and key to its block.
	decls map[string]map[string]hclDecl
	// resourceNames holds the Docker names of networks, volumes, secrets
	// and configs ("network.backend" -> "demo_backend") once known.
	resourceNames map[string]string
}

type hclDecl struct {
	module *hclModule
	block  *hcl.Block
}

// hclModule is one stack file: the main one or an included one.
type hclModule struct {
	file     string
	dir      string
	content  *hcl.BodyContent
	include  *hcl.Block     // the include block that loaded this file; nil for the main file
	inputs   hcl.Expression // the include's inputs, evaluated in the including file
	children []*hclModule

	variables  map[string]*hclVariable
	vars       map[string]cty.Value
	localExprs map[string]*hcl.Attribute
	locals     map[string]cty.Value
	functions  map[string]function.Function
	// localServiceRefs caches localServices.
	localServiceRefs map[string][]string
}

var hclDeclKinds = []string{"network", "volume", "secret", "config", "service"}

// validHCLName is what a service, network, volume, secret or config key may
// look like: Docker accepts these in container and object names.
var validHCLName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// loadHCL reads an HCL stack file and the files it includes into a Project.
// Every problem found is reported at once, as an *Error with HCL diagnostics.
func loadHCL(opts LoadOptions) (*Project, error) {
	file, err := filepath.Abs(opts.Files[0])
	if err != nil {
		return nil, fmt.Errorf("stack file: %w", err)
	}
	p := &hclProject{
		opts:          opts,
		parser:        hclparse.NewParser(),
		environ:       environMap(opts.Environ),
		decls:         map[string]map[string]hclDecl{},
		resourceNames: map[string]string{},
	}
	for _, k := range hclDeclKinds {
		p.decls[k] = map[string]hclDecl{}
	}
	p.root = p.parseModule(file, nil, nil, nil)
	if p.root == nil || p.diags.HasErrors() {
		return nil, p.fail()
	}
	p.evalModule(p.root, nil)
	if p.diags.HasErrors() {
		return nil, p.fail()
	}
	proj := p.buildProject()
	p.checkHasServices()
	if p.diags.HasErrors() {
		return nil, p.fail()
	}
	proj.WorkingDir = opts.WorkingDir
	if proj.WorkingDir == "" {
		proj.WorkingDir = p.root.dir
	}
	for _, m := range p.modules {
		proj.Files = append(proj.Files, m.file)
	}
	return proj, nil
}

// fail returns the problems found. Those with no place in a file (a --var
// for an undeclared variable) become plain diagnostics, which print without
// a "<nil>" position.
func (p *hclProject) fail() *Error {
	e := &Error{HCLFiles: p.parser.Files()}
	for _, d := range p.diags {
		if d.Subject == nil {
			e.Diags = append(e.Diags, Diagnostic{Warning: d.Severity != hcl.DiagError, Summary: d.Summary, Detail: d.Detail})
			continue
		}
		e.HCL = append(e.HCL, d)
	}
	return e
}

// checkHasServices reports a project without a single service block. Only
// the project as a whole needs one: an included file may hold just volumes.
func (p *hclProject) checkHasServices() {
	if len(p.decls["service"]) > 0 {
		return
	}
	start := hcl.Range{Filename: p.root.file, Start: hcl.InitialPos, End: hcl.InitialPos}
	p.errorAt(&start, "No services", fmt.Sprintf("No services in %s: a stack needs at least one service block, in this file or a file it includes.", filepath.Base(p.root.file)))
}

func environMap(environ []string) map[string]string {
	m := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

func (p *hclProject) errorAt(r *hcl.Range, summary, detail string) {
	p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: r})
}

// parseModule parses a file and, recursively, the files it includes, and
// registers every declaration so references across files resolve.
func (p *hclProject) parseModule(file string, include *hcl.Block, inputs hcl.Expression, stack []string) *hclModule {
	f, diags := p.parser.ParseHCLFile(file)
	p.diags = append(p.diags, diags...)
	if f == nil || diags.HasErrors() {
		return nil
	}
	content, diags := f.Body.Content(hclRootSchema)
	p.diags = append(p.diags, diags...)
	m := &hclModule{
		file:       file,
		dir:        filepath.Dir(file),
		content:    content,
		include:    include,
		inputs:     inputs,
		variables:  map[string]*hclVariable{},
		localExprs: map[string]*hcl.Attribute{},
	}
	m.functions = hclFunctions(m.dir, p.environ)
	m.functions["try"] = tryfunc.TryFunc
	m.functions["can"] = tryfunc.CanFunc
	p.modules = append(p.modules, m)
	stack = append(stack, file)
	includes := map[string]*hcl.Block{}
	for _, b := range content.Blocks {
		switch b.Type {
		case "variable":
			p.declareVariable(m, b)
		case "locals":
			p.declareLocals(m, b)
		case "include":
			if prev, ok := includes[b.Labels[0]]; ok {
				p.errorAt(b.DefRange.Ptr(), "Duplicate include", fmt.Sprintf("An include named %q is already declared at %s.", b.Labels[0], posOf(prev.DefRange)))
				continue
			}
			includes[b.Labels[0]] = b
			if child := p.parseInclude(m, b, stack); child != nil {
				m.children = append(m.children, child)
			}
		default:
			p.declare(m, b)
		}
	}
	return m
}

func (p *hclProject) declare(m *hclModule, b *hcl.Block) {
	key := b.Labels[0]
	if !validHCLName.MatchString(key) {
		p.errorAt(b.LabelRanges[0].Ptr(), "Invalid "+b.Type+" name", fmt.Sprintf("%q must start with a letter or digit and contain only letters, digits, '_', '.' and '-'.", key))
		return
	}
	if prev, ok := p.decls[b.Type][key]; ok {
		p.errorAt(b.DefRange.Ptr(), "Duplicate "+b.Type+" "+key,
			fmt.Sprintf("%s %q is also declared at %s; names must be unique across a stack and the files it includes.", b.Type, key, posOf(prev.block.DefRange)))
		return
	}
	p.decls[b.Type][key] = hclDecl{module: m, block: b}
}

func (p *hclProject) declareLocals(m *hclModule, b *hcl.Block) {
	attrs, diags := b.Body.JustAttributes()
	p.diags = append(p.diags, diags...)
	for _, a := range sortedAttrs(attrs) {
		if prev, ok := m.localExprs[a.Name]; ok {
			p.errorAt(a.NameRange.Ptr(), "Duplicate local value", fmt.Sprintf("local.%s is already defined at %s.", a.Name, posOf(prev.NameRange)))
			continue
		}
		m.localExprs[a.Name] = a
	}
}

// parseInclude loads the file an include block names. Its source must be a
// constant path: included files are read before variables are known.
func (p *hclProject) parseInclude(m *hclModule, b *hcl.Block, stack []string) *hclModule {
	content, diags := b.Body.Content(hclIncludeSchema)
	p.diags = append(p.diags, diags...)
	src := content.Attributes["source"]
	if src == nil {
		return nil
	}
	v, diags := src.Expr.Value(&hcl.EvalContext{Functions: m.functions})
	if diags.HasErrors() || v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		p.errorAt(src.Expr.Range().Ptr(), "Invalid include source", "The source must be a constant string path, relative to this file; variables are not known when includes are read.")
		return nil
	}
	file := resolvePath(m.dir, v.AsString())
	if info, err := os.Stat(file); err != nil || info.IsDir() {
		p.errorAt(src.Expr.Range().Ptr(), "Included file not found", fmt.Sprintf("Cannot read %s.", file))
		return nil
	}
	for _, f := range stack {
		if f == file {
			p.errorAt(src.Expr.Range().Ptr(), "Include cycle", fmt.Sprintf("%s includes itself: %s -> %s.", file, strings.Join(stack, " -> "), file))
			return nil
		}
	}
	var inputs hcl.Expression
	if a := content.Attributes["inputs"]; a != nil {
		inputs = a.Expr
	}
	return p.parseModule(file, b, inputs, stack)
}

// evalModule resolves a file's variables (from inputs when included), its
// resource names and locals, then does the same for the files it includes.
func (p *hclProject) evalModule(m *hclModule, inputs map[string]hclVarValue) {
	p.resolveVariables(m, inputs)
	if m == p.root {
		p.name = p.projectName()
	}
	p.resolveResourceNames(m)
	p.evalLocals(m)
	for _, child := range m.children {
		p.evalModule(child, p.includeInputs(m, child))
	}
}

// projectName is -p, else the name attribute, else the folder name.
func (p *hclProject) projectName() string {
	if p.opts.ProjectName != "" {
		return p.opts.ProjectName
	}
	if a := p.root.content.Attributes["name"]; a != nil {
		d := p.decoder(p.root, p.varContext(p.root), nil)
		if name, ok := d.str(a); ok {
			if NormalizeProjectName(name) != name || name == "" {
				p.errorAt(a.Expr.Range().Ptr(), "Invalid project name", fmt.Sprintf("%q must contain only lowercase letters, digits, '-' and '_', and start with a letter or digit.", name))
			}
			return name
		}
		return "invalid"
	}
	dir := p.opts.WorkingDir
	if dir == "" {
		dir = p.root.dir
	}
	return NormalizeProjectName(filepath.Base(dir))
}

func (p *hclProject) resolveResourceNames(m *hclModule) {
	ctx := p.varContext(m)
	for _, kind := range []string{"network", "volume", "secret", "config"} {
		for _, key := range sortedKeys(p.decls[kind]) {
			decl := p.decls[kind][key]
			if decl.module != m {
				continue
			}
			attrs, _ := decl.block.Body.JustAttributes()
			name := p.name + "_" + key
			if ext := attrs["external"]; ext != nil {
				if v, diags := ext.Expr.Value(ctx); !diags.HasErrors() && v.Type() == cty.Bool && v.IsKnown() && v.True() {
					name = key
				}
			}
			if a := attrs["name"]; a != nil {
				d := p.decoder(m, ctx, nil)
				if n, ok := d.str(a); ok {
					name = n
				}
			}
			p.resourceNames[kind+"."+key] = name
		}
	}
}

// includeInputs evaluates an include's inputs in the including file.
func (p *hclProject) includeInputs(parent, child *hclModule) map[string]hclVarValue {
	out := map[string]hclVarValue{}
	if child.inputs == nil {
		return out
	}
	d := p.decoder(parent, p.evalContext(parent), nil)
	v, ok := d.eval(child.inputs)
	if !ok {
		return out
	}
	if !v.Type().IsObjectType() && !v.Type().IsMapType() {
		p.errorAt(child.inputs.Range().Ptr(), "Invalid include inputs", "The inputs must be an object of variable values, such as { retention = \"7d\" }.")
		return out
	}
	ranges := objectKeyRanges(child.inputs)
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		r, ok := ranges[k.AsString()]
		if !ok {
			r = child.inputs.Range()
		}
		out[k.AsString()] = hclVarValue{value: e, rng: r.Ptr(), from: "include " + child.include.Labels[0] + " inputs"}
	}
	return out
}

func (p *hclProject) decoder(m *hclModule, ctx *hcl.EvalContext, pos map[string]Pos) *hclDecoder {
	return &hclDecoder{ctx: ctx, names: &hclNamespace{project: p, module: m}, diags: &p.diags, pos: pos}
}

// varContext is for what is evaluated before locals: the project name and
// the names of networks, volumes, secrets and configs.
func (p *hclProject) varContext(m *hclModule) *hcl.EvalContext {
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(m.vars)},
		Functions: m.functions,
	}
}

// evalContext is for locals, include inputs and every block: variables,
// locals and references to every declaration of the project.
func (p *hclProject) evalContext(m *hclModule) *hcl.EvalContext {
	vars := map[string]cty.Value{
		"var":   cty.ObjectVal(m.vars),
		"local": cty.ObjectVal(m.locals),
	}
	for _, kind := range hclDeclKinds {
		vars[kind] = p.refObjects(kind)
	}
	return &hcl.EvalContext{Variables: vars, Functions: m.functions}
}

// buildProject decodes every declaration into the model.
func (p *hclProject) buildProject() *Project {
	proj := &Project{
		Name:     p.name,
		Services: map[string]*Service{},
		Networks: map[string]*Network{},
		Volumes:  map[string]*Volume{},
		Secrets:  map[string]*Secret{},
		Configs:  map[string]*Config{},
		Disabled: map[string]*Service{},
	}
	ctxs := map[*hclModule]*hcl.EvalContext{}
	ctxOf := func(m *hclModule) *hcl.EvalContext {
		if ctxs[m] == nil {
			ctxs[m] = p.evalContext(m)
		}
		return ctxs[m]
	}
	for _, key := range sortedKeys(p.decls["network"]) {
		decl := p.decls["network"][key]
		proj.Networks[key] = p.decodeNetwork(decl, ctxOf(decl.module))
	}
	for _, key := range sortedKeys(p.decls["volume"]) {
		decl := p.decls["volume"][key]
		proj.Volumes[key] = p.decodeVolume(decl, ctxOf(decl.module))
	}
	for _, key := range sortedKeys(p.decls["secret"]) {
		decl := p.decls["secret"][key]
		f := p.decodeFileObject(decl, ctxOf(decl.module))
		proj.Secrets[key] = &Secret{Key: key, Name: f.name, File: f.file, Environment: f.environment, Content: f.content, External: f.external}
		if f.environment != "" {
			// As Compose: the value is read from the environment at load time.
			proj.Secrets[key].Content = p.environ[f.environment]
		}
	}
	for _, key := range sortedKeys(p.decls["config"]) {
		decl := p.decls["config"][key]
		f := p.decodeFileObject(decl, ctxOf(decl.module))
		proj.Configs[key] = &Config{Key: key, Name: f.name, File: f.file, Environment: f.environment, Content: f.content, External: f.external}
		if f.environment != "" {
			proj.Configs[key].Content = p.environ[f.environment]
		}
	}
	for _, key := range sortedKeys(p.decls["service"]) {
		decl := p.decls["service"][key]
		s := p.decodeService(decl, ctxOf(decl.module))
		if s == nil {
			continue
		}
		if profileEnabled(s.Profiles, p.opts.Profiles) {
			proj.Services[key] = s
		} else {
			proj.Disabled[key] = s
		}
	}
	p.addDefaultNetwork(proj)
	return proj
}

// addDefaultNetwork creates the "default" network when a service uses it and
// the file does not declare it.
func (p *hclProject) addDefaultNetwork(proj *Project) {
	if _, ok := proj.Networks["default"]; ok {
		return
	}
	for _, s := range proj.Services {
		if _, ok := s.Networks["default"]; ok {
			proj.Networks["default"] = &Network{Key: "default", Name: p.name + "_default"}
			return
		}
	}
}

// profileEnabled: a service without profiles always runs; one with
// profiles runs when one of them is enabled, or all are ("*").
func profileEnabled(profiles, enabled []string) bool {
	if len(profiles) == 0 {
		return true
	}
	for _, e := range enabled {
		if e == "*" {
			return true
		}
		for _, p := range profiles {
			if p == e {
				return true
			}
		}
	}
	return false
}

// sortedBlocks returns blocks of one type in source order.
func sortedBlocks(blocks hcl.Blocks, typ string) []*hcl.Block {
	var out []*hcl.Block
	for _, b := range blocks {
		if b.Type == typ {
			out = append(out, b)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DefRange.Start.Byte < out[j].DefRange.Start.Byte })
	return out
}
