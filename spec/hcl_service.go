package spec

import (
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/mattn/go-shellwords"
	"github.com/zclconf/go-cty/cty"
)

var hclServiceSchema = &hcl.BodySchema{
	Attributes: append([]hcl.AttributeSchema{
		{Name: "image"}, {Name: "pull_policy"}, {Name: "platform"}, {Name: "command"}, {Name: "entrypoint"},
		{Name: "environment"}, {Name: "env_file"}, {Name: "working_dir"}, {Name: "user"}, {Name: "hostname"},
		{Name: "container_name"}, {Name: "labels"}, {Name: "profiles"}, {Name: "stop_signal"},
		{Name: "stop_grace_period"}, {Name: "ports"}, {Name: "expose"}, {Name: "volumes"}, {Name: "networks"},
		{Name: "extra_hosts"}, {Name: "depends_on"}, {Name: "restart"}, {Name: "replicas"}, {Name: "secrets"},
		{Name: "configs"}, {Name: "init"}, {Name: "read_only"}, {Name: "privileged"}, {Name: "tty"},
		{Name: "stdin_open"}, {Name: "cap_add"}, {Name: "cap_drop"}, {Name: "security_opt"},
	}, hclRuntimeAttributes...),
	// depends_on, network, secret and config are both attributes (simple
	// form) and labeled blocks (long form): hclsyntax keeps them apart.
	Blocks: append([]hcl.BlockHeaderSchema{
		{Type: "build"}, {Type: "port"}, {Type: "mount"}, {Type: "healthcheck"}, {Type: "resources"},
		{Type: "swarm"},
		{Type: "network", LabelNames: []string{"name"}},
		{Type: "depends_on", LabelNames: []string{"service"}},
		{Type: "secret", LabelNames: []string{"name"}},
		{Type: "config", LabelNames: []string{"name"}},
		{Type: "develop"},
	}, hclRuntimeBlocks...),
}

var hclBuildSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "context"}, {Name: "dockerfile"}, {Name: "args"}, {Name: "target"},
	{Name: "labels"}, {Name: "no_cache"}, {Name: "tags"},
	{Name: "dockerfile_inline"}, {Name: "additional_contexts"}, {Name: "secrets"}, {Name: "ssh"},
	{Name: "cache_from"}, {Name: "cache_to"}, {Name: "network"}, {Name: "shm_size"},
	{Name: "extra_hosts"}, {Name: "privileged"}, {Name: "pull"}, {Name: "isolation"}, {Name: "platforms"},
}, Blocks: []hcl.BlockHeaderSchema{
	{Type: "secret", LabelNames: []string{"name"}},
	{Type: "ulimit", LabelNames: []string{"name"}},
}}

var hclHealthcheckSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "test"}, {Name: "interval"}, {Name: "timeout"}, {Name: "retries"}, {Name: "start_period"},
	{Name: "start_interval"}, {Name: "disable"},
}}

var hclDependsOnSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "condition"}, {Name: "required"}, {Name: "restart"},
}}

var hclServiceNetworkSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "aliases"}, {Name: "ipv4_address"},
}}

var hclFileRefSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "target"}, {Name: "uid"}, {Name: "gid"}, {Name: "mode"},
}}

// decodeService reads one service block into the model.
func (p *hclProject) decodeService(decl hclDecl, ctx *hcl.EvalContext) *Service {
	b := decl.block
	name := b.Labels[0]
	c := p.content(b.Body, hclServiceSchema)
	s := &Service{Name: name, Replicas: 1, Positions: map[string]Pos{"": posOf(b.DefRange)}}
	d := p.decoder(decl.module, ctx, s.Positions)
	a := c.Attributes

	d.setStr(a["image"], &s.Image)
	d.setStr(a["pull_policy"], &s.PullPolicy)
	d.setStr(a["platform"], &s.Platform)
	s.Command = d.command(a["command"])
	s.Entrypoint = d.command(a["entrypoint"])
	s.Environment = p.environment(d, decl.module, a["env_file"], a["environment"])
	d.setStr(a["working_dir"], &s.WorkingDir)
	d.setStr(a["user"], &s.User)
	d.setStr(a["hostname"], &s.Hostname)
	d.setStr(a["container_name"], &s.ContainerName)
	d.setStrMap(a["labels"], &s.Labels)
	d.setStrList(a["profiles"], &s.Profiles)
	d.setStr(a["stop_signal"], &s.StopSignal)
	if dur, ok := d.duration(a["stop_grace_period"]); ok {
		s.StopGracePeriod = &dur
	}
	d.setStrList(a["expose"], &s.Expose)
	d.setStrList(a["extra_hosts"], &s.ExtraHosts)
	for i, h := range s.ExtraHosts {
		// Compose accepts host=ip too; the model keeps host:ip.
		if host, ip, ok := strings.Cut(h, "="); ok {
			s.ExtraHosts[i] = host + ":" + ip
		}
	}
	d.setStr(a["restart"], &s.Restart)
	if n, ok := d.integer(a["replicas"]); ok {
		if n < 0 {
			d.errorAt(a["replicas"].Expr.Range(), "Invalid value for replicas", "replicas cannot be negative.")
		}
		s.Replicas = n
	}
	if v, ok := d.boolean(a["init"]); ok {
		s.Init = &v
	}
	d.setBool(a["read_only"], &s.ReadOnly)
	d.setBool(a["privileged"], &s.Privileged)
	d.setBool(a["tty"], &s.Tty)
	d.setBool(a["stdin_open"], &s.StdinOpen)
	d.setStrList(a["cap_add"], &s.CapAdd)
	d.setStrList(a["cap_drop"], &s.CapDrop)
	d.setStrList(a["security_opt"], &s.SecurityOpt)

	if bb := p.singleBlock(c.Blocks, "build"); bb != nil {
		s.Build = p.decodeBuild(d.within("build."), decl.module, bb)
	}
	p.decodePorts(d, s, a["ports"], sortedBlocks(c.Blocks, "port"))
	p.decodeMounts(d, s, decl.module, a["volumes"], sortedBlocks(c.Blocks, "mount"))
	p.decodeServiceNetworks(d, s, a["networks"], sortedBlocks(c.Blocks, "network"))
	p.decodeDependsOn(d, s, a["depends_on"], sortedBlocks(c.Blocks, "depends_on"))
	if hb := p.singleBlock(c.Blocks, "healthcheck"); hb != nil {
		s.Healthcheck = p.decodeHealthcheck(d.within("healthcheck."), hb)
	}
	s.Secrets = p.decodeFileRefs(d, "secret", a["secrets"], sortedBlocks(c.Blocks, "secret"))
	s.Configs = p.decodeFileRefs(d, "config", a["configs"], sortedBlocks(c.Blocks, "config"))
	if rb := p.singleBlock(c.Blocks, "resources"); rb != nil {
		s.Resources = p.decodeResources(d.within("resources."), rb)
	}
	p.decodeRuntime(d, s, decl.module, a, c.Blocks)
	p.decodeHooks(d, s, c)
	if sb := p.singleBlock(c.Blocks, "swarm"); sb != nil {
		s.Deploy = p.decodeDeploy(d.within("swarm."), sb)
	}
	if db := p.singleBlock(c.Blocks, "develop"); db != nil {
		s.Develop = p.decodeDevelop(d.within("develop."), decl.module, db)
	}
	if len(s.Networks) == 0 && s.NetworkMode == "" {
		s.Networks = map[string]*ServiceNetwork{"default": {}}
	}
	p.addImplicitDependencies(s, decl.module, b.Body)
	return s
}

// singleBlock returns the one block of a type, reporting repeats.
func (p *hclProject) singleBlock(blocks hcl.Blocks, typ string) *hcl.Block {
	found := sortedBlocks(blocks, typ)
	if len(found) == 0 {
		return nil
	}
	for _, extra := range found[1:] {
		p.errorAt(extra.DefRange.Ptr(), "Duplicate "+typ+" block", fmt.Sprintf("Only one %s block is allowed; the first is at %s.", typ, posOf(found[0].DefRange)))
	}
	return found[0]
}

// command reads a command or entrypoint: a list of strings, or a string
// split into words as a shell would (as Compose does).
func (d *hclDecoder) command(attr *hcl.Attribute) []string {
	v, ok := d.value(attr)
	if !ok {
		return nil
	}
	if v.Type() == cty.String {
		words, err := shellwords.Parse(v.AsString())
		if err != nil {
			d.errorAt(attr.Expr.Range(), "Invalid value for "+attr.Name, fmt.Sprintf("Cannot split %q into words: %v.", v.AsString(), err))
			return nil
		}
		if words == nil {
			words = []string{}
		}
		return words
	}
	l, ok := d.toStrList(attr, v)
	if !ok {
		return nil
	}
	return l
}

// environment merges env_file files (in order) under the environment map.
func (p *hclProject) environment(d *hclDecoder, m *hclModule, envFile, env *hcl.Attribute) map[string]string {
	out := map[string]string{}
	if envFile != nil {
		files := d.envFiles(envFile) // hcl_envfile.go
		lookup := func(k string) (string, bool) {
			v, ok := p.environ[k]
			return v, ok
		}
		for i, f := range files {
			path := resolvePath(m.dir, expandHome(f.path, p.environ))
			if _, err := os.Stat(path); err != nil {
				if !f.required {
					continue
				}
				d.errorAt(elemRange(envFile.Expr, i), "Env file not found", fmt.Sprintf("Cannot read %s.", path))
				continue
			}
			vals, err := readEnvFile(lookup, path, f.format)
			if err != nil {
				d.errorAt(elemRange(envFile.Expr, i), "Invalid env file", fmt.Sprintf("%s: %v.", path, err))
				continue
			}
			for k, v := range vals {
				out[k] = v
			}
		}
	}
	if m, ok := d.strMap(env); ok {
		for k, v := range m {
			out[k] = v
		}
	}
	return emptyToNil(out)
}

func (p *hclProject) decodeBuild(d *hclDecoder, m *hclModule, b *hcl.Block) *Build {
	c := p.content(b.Body, hclBuildSchema)
	d.mark("", b.DefRange)
	a := c.Attributes
	bd := &Build{}
	d.setStr(a["context"], &bd.Context)
	if bd.Context != "" && !isRemoteContext(bd.Context) {
		bd.Context = resolvePath(m.dir, expandHome(bd.Context, p.environ))
	}
	d.setStr(a["dockerfile"], &bd.Dockerfile)
	d.setStrMap(a["args"], &bd.Args)
	d.setStr(a["target"], &bd.Target)
	d.setStrMap(a["labels"], &bd.Labels)
	d.setBool(a["no_cache"], &bd.NoCache)
	d.setStrList(a["tags"], &bd.Tags)
	p.decodeBuildMore(d, m, b, c, bd)
	return bd
}

// isRemoteContext tells a git or HTTP build context from a folder.
func isRemoteContext(s string) bool {
	return strings.Contains(s, "://") || strings.HasPrefix(s, "git@") || strings.HasPrefix(s, "github.com/")
}

func (p *hclProject) decodeHealthcheck(d *hclDecoder, b *hcl.Block) *Healthcheck {
	c := p.content(b.Body, hclHealthcheckSchema)
	d.mark("", b.DefRange)
	a := c.Attributes
	h := &Healthcheck{}
	if attr := a["test"]; attr != nil {
		if v, ok := d.value(attr); ok {
			if v.Type() == cty.String {
				h.Test = []string{"CMD-SHELL", v.AsString()}
			} else if l, ok := d.toStrList(attr, v); ok {
				if len(l) > 0 && l[0] != "CMD" && l[0] != "CMD-SHELL" && l[0] != "NONE" {
					l = append([]string{"CMD"}, l...)
				}
				h.Test = l
			}
		}
	}
	d.setDuration(a["interval"], &h.Interval)
	d.setDuration(a["timeout"], &h.Timeout)
	d.setDuration(a["start_period"], &h.StartPeriod)
	d.setDuration(a["start_interval"], &h.StartInterval)
	if n, ok := d.integer(a["retries"]); ok {
		if n < 0 {
			d.errorAt(a["retries"].Expr.Range(), "Invalid value for retries", "retries cannot be negative.")
		}
		h.Retries = n
	}
	// Without test, the image's own HEALTHCHECK runs on this schedule, as
	// in Compose: Docker fills an empty test from the image.
	d.setBool(a["disable"], &h.Disable)
	return h
}

func (p *hclProject) decodeResources(d *hclDecoder, b *hcl.Block) Resources {
	c := p.content(b.Body, &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "cpus"}, {Name: "memory"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "gpus"}},
	})
	d.mark("", b.DefRange)
	var r Resources
	if f, ok := d.float(c.Attributes["cpus"]); ok {
		if f < 0 {
			d.errorAt(c.Attributes["cpus"].Expr.Range(), "Invalid value for cpus", "cpus cannot be negative.")
		}
		r.CPUs = f
	}
	if n, ok := d.size(c.Attributes["memory"]); ok {
		r.MemoryBytes = n
	}
	for i, gb := range sortedBlocks(c.Blocks, "gpus") {
		r.GPUs = append(r.GPUs, p.decodeGPUs(d.within(fmt.Sprintf("gpus[%d].", i)), gb))
	}
	return r
}

func (p *hclProject) decodeGPUs(d *hclDecoder, b *hcl.Block) DeviceRequest {
	c := p.content(b.Body, &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "driver"}, {Name: "count"}, {Name: "device_ids"}, {Name: "capabilities"}, {Name: "options"},
	}})
	d.mark("", b.DefRange)
	a := c.Attributes
	var g DeviceRequest
	d.setStr(a["driver"], &g.Driver)
	d.setStrList(a["device_ids"], &g.DeviceIDs)
	d.setStrList(a["capabilities"], &g.Capabilities)
	d.setStrMap(a["options"], &g.Options)
	if len(g.Capabilities) == 0 {
		g.Capabilities = []string{"gpu"}
	}
	switch attr := a["count"]; {
	case attr == nil && len(g.DeviceIDs) == 0:
		g.Count = -1 // no count and no ids: all GPUs, as Compose
	case attr != nil:
		v, ok := d.value(attr)
		if !ok {
			break
		}
		if v.Type() == cty.String && v.AsString() == "all" {
			g.Count = -1
			break
		}
		if n, ok := d.integer(attr); ok {
			if n < -1 {
				d.errorAt(attr.Expr.Range(), "Invalid value for count", "count is a number of GPUs, or \"all\".")
			}
			g.Count = n
		}
	}
	return g
}

// addImplicitDependencies makes every service a body refers to, directly
// or through a local of module m, a dependency (service_started), unless
// depends_on already names it.
func (p *hclProject) addImplicitDependencies(s *Service, m *hclModule, body hcl.Body) {
	syn, ok := body.(*hclsyntax.Body)
	if !ok {
		return
	}
	refs := serviceRefs(m, bodyExpressions(syn))
	for _, name := range sortedRangeKeys(refs) {
		if name == s.Name {
			continue
		}
		if _, ok := s.DependsOn[name]; ok {
			continue
		}
		if s.DependsOn == nil {
			s.DependsOn = map[string]Dependency{}
		}
		s.DependsOn[name] = Dependency{Condition: ConditionStarted, Required: true}
		s.Positions["depends_on."+name] = posOf(refs[name])
	}
}

func bodyExpressions(b *hclsyntax.Body) []hcl.Expression {
	var out []hcl.Expression
	for _, a := range b.Attributes {
		out = append(out, a.Expr)
	}
	for _, blk := range b.Blocks {
		out = append(out, bodyExpressions(blk.Body)...)
	}
	return out
}
