package spec

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

var hclBuildUlimitSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "soft"}, {Name: "hard"}, {Name: "single"},
}}

// decodeBuildMore reads the build keys past the basic ones: the same
// attribute names as compose, with `secret "x" {}` and `ulimit "x" {}`
// blocks where compose has maps or lists of objects.
func (p *hclProject) decodeBuildMore(d *hclDecoder, m *hclModule, b *hcl.Block, c *hcl.BodyContent, bd *Build) {
	a := c.Attributes
	d.setStr(a["dockerfile_inline"], &bd.DockerfileInline)
	if a["context"] == nil {
		if bd.DockerfileInline == "" {
			d.errorAt(b.Body.MissingItemRange(), "Missing required argument",
				"The argument \"context\" is required, but no definition was found (it may be left out only with dockerfile_inline).")
		} else {
			bd.Context = m.dir // as compose: the default context is "."
		}
	}
	if a["dockerfile"] != nil && a["dockerfile_inline"] != nil {
		d.errorAt(a["dockerfile_inline"].Expr.Range(), "Conflicting build arguments",
			"dockerfile and dockerfile_inline cannot both be set.")
	}
	d.setStrMap(a["additional_contexts"], &bd.AdditionalContexts)
	for name, ctx := range bd.AdditionalContexts {
		bd.AdditionalContexts[name] = resolveContextPath(m.dir, expandHome(ctx, p.environ))
	}
	bd.Secrets = p.decodeFileRefs(d, "secret", a["secrets"], sortedBlocks(c.Blocks, "secret"))
	if keys, ok := d.strList(a["ssh"]); ok {
		for i, k := range keys {
			key, err := parseBuildSSH(k)
			if err != nil {
				d.errorAt(elemRange(a["ssh"].Expr, i), "Invalid value for ssh", err.Error())
				continue
			}
			if key.Path != "" {
				key.Path = resolvePath(m.dir, expandHome(key.Path, p.environ))
			}
			bd.SSH = append(bd.SSH, key)
		}
		sortSSH(bd.SSH)
	}
	d.setStrList(a["cache_from"], &bd.CacheFrom)
	d.setStrList(a["cache_to"], &bd.CacheTo)
	d.setStr(a["network"], &bd.Network)
	if n, ok := d.size(a["shm_size"]); ok {
		bd.ShmSize = n
	}
	d.setStrList(a["extra_hosts"], &bd.ExtraHosts)
	for i, h := range bd.ExtraHosts {
		if host, ip, ok := strings.Cut(h, "="); ok {
			bd.ExtraHosts[i] = host + ":" + ip
		}
	}
	sort.Strings(bd.ExtraHosts) // as the compose loader, which reads them through a map
	d.setBool(a["privileged"], &bd.Privileged)
	d.setBool(a["pull"], &bd.Pull)
	d.setStr(a["isolation"], &bd.Isolation)
	d.setStrList(a["platforms"], &bd.Platforms)
	for _, ub := range sortedBlocks(c.Blocks, "ulimit") {
		name := ub.Labels[0]
		uc := p.content(ub.Body, hclBuildUlimitSchema)
		ud := d.within("ulimits." + name + ".")
		ud.mark("", ub.DefRange)
		if bd.Ulimits == nil {
			bd.Ulimits = map[string]BuildUlimit{}
		}
		if _, dup := bd.Ulimits[name]; dup {
			d.errorAt(ub.LabelRanges[0], "Duplicate ulimit", fmt.Sprintf("ulimit %q is set twice.", name))
			continue
		}
		var u BuildUlimit
		ua := uc.Attributes
		if n, ok := ud.integer(ua["single"]); ok {
			u = BuildUlimit{Soft: int64(n), Hard: int64(n)}
			if ua["soft"] != nil || ua["hard"] != nil {
				d.errorAt(ua["single"].Expr.Range(), "Conflicting ulimit arguments", "single cannot be set with soft or hard.")
			}
		}
		if n, ok := ud.integer(ua["soft"]); ok {
			u.Soft = int64(n)
		}
		if n, ok := ud.integer(ua["hard"]); ok {
			u.Hard = int64(n)
		}
		bd.Ulimits[name] = u
	}
}

// resolveContextPath makes a folder context absolute and leaves the other
// forms (docker-image://, service:, URLs) as they are, as compose-go does.
func resolveContextPath(dir, ctx string) string {
	if strings.Contains(ctx, "://") || strings.HasPrefix(ctx, "service:") || isRemoteContext(ctx) {
		return ctx
	}
	return resolvePath(dir, ctx)
}

// parseBuildSSH reads "default", "id" or "id=path[,path]" as the docker CLI
// and Compose do.
func parseBuildSSH(s string) (BuildSSH, error) {
	id, path, _ := strings.Cut(s, "=")
	if id == "" {
		return BuildSSH{}, fmt.Errorf("%q: want default, ID or ID=PATH", s)
	}
	if strings.Contains(path, ",") {
		return BuildSSH{}, fmt.Errorf("%q: give one path per ssh entry", s)
	}
	if path != "" {
		path = filepath.Clean(path)
	}
	return BuildSSH{ID: id, Path: path}, nil
}
