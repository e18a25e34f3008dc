package spec

import (
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// buildMore writes the build keys decodeBuildMore reads.
func (w *hclWriter) buildMore(bb *hclwrite.Body, bd *Build) {
	setString(bb, "dockerfile_inline", bd.DockerfileInline)
	if len(bd.AdditionalContexts) > 0 {
		ctxs := map[string]string{}
		for name, c := range bd.AdditionalContexts {
			ctxs[name] = w.relPath(c)
		}
		setMap(bb, "additional_contexts", ctxs)
	}
	if len(bd.SSH) > 0 {
		var keys []string
		for _, k := range bd.SSH {
			k.Path = w.relPath(k.Path)
			keys = append(keys, k.String())
		}
		setList(bb, "ssh", keys)
	}
	setList(bb, "cache_from", bd.CacheFrom)
	setList(bb, "cache_to", bd.CacheTo)
	setString(bb, "network", bd.Network)
	if bd.ShmSize != 0 {
		setString(bb, "shm_size", formatBytes(bd.ShmSize))
	}
	setList(bb, "extra_hosts", bd.ExtraHosts)
	setBool(bb, "privileged", bd.Privileged)
	setBool(bb, "pull", bd.Pull)
	setString(bb, "isolation", bd.Isolation)
	setList(bb, "platforms", bd.Platforms)
	w.fileRefs(bb, "secret", "secrets", bd.Secrets)
	for _, name := range sortedKeys(bd.Ulimits) {
		u := bd.Ulimits[name]
		ub := bb.AppendNewBlock("ulimit", []string{name}).Body()
		if u.Soft == u.Hard {
			ub.SetAttributeValue("single", cty.NumberIntVal(u.Soft))
			continue
		}
		ub.SetAttributeValue("soft", cty.NumberIntVal(u.Soft))
		ub.SetAttributeValue("hard", cty.NumberIntVal(u.Hard))
	}
}
