package spec

import (
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// buildFromCompose maps a compose build section into the model.
func buildFromCompose(b *types.BuildConfig) *Build {
	out := &Build{
		Context:            b.Context,
		Dockerfile:         b.Dockerfile,
		Args:               resolvedMapping(b.Args),
		Target:             b.Target,
		Labels:             emptyToNil(map[string]string(b.Labels)),
		NoCache:            b.NoCache,
		Tags:               append([]string(nil), b.Tags...),
		DockerfileInline:   b.DockerfileInline,
		AdditionalContexts: emptyToNil(map[string]string(b.AdditionalContexts)),
		CacheFrom:          append([]string(nil), b.CacheFrom...),
		CacheTo:            append([]string(nil), b.CacheTo...),
		Network:            b.Network,
		ShmSize:            int64(b.ShmSize),
		Privileged:         b.Privileged,
		Pull:               b.Pull,
		Isolation:          b.Isolation,
		Platforms:          append([]string(nil), b.Platforms...),
	}
	if b.DockerfileInline != "" && b.Dockerfile == "Dockerfile" {
		// compose-go fills the default name even with an inline file.
		out.Dockerfile = ""
	}
	for _, ref := range b.Secrets {
		out.Secrets = append(out.Secrets, fileRef(types.FileReferenceConfig(ref)))
	}
	for _, k := range b.SSH {
		out.SSH = append(out.SSH, BuildSSH{ID: k.ID, Path: k.Path})
	}
	sortSSH(out.SSH) // compose-go reads them through a map
	for host, ips := range b.ExtraHosts {
		for _, ip := range ips {
			out.ExtraHosts = append(out.ExtraHosts, host+":"+ip)
		}
	}
	sort.Strings(out.ExtraHosts)
	if len(b.Ulimits) > 0 {
		out.Ulimits = map[string]BuildUlimit{}
		for name, u := range b.Ulimits {
			if u == nil {
				continue
			}
			l := BuildUlimit{Soft: int64(u.Soft), Hard: int64(u.Hard)}
			if u.Single != 0 {
				l = BuildUlimit{Soft: int64(u.Single), Hard: int64(u.Single)}
			}
			out.Ulimits[name] = l
		}
	}
	return out
}

// buildToCompose is buildFromCompose backwards, for `config` output.
func buildToCompose(b *Build) *types.BuildConfig {
	out := &types.BuildConfig{
		Context:            b.Context,
		Dockerfile:         b.Dockerfile,
		Target:             b.Target,
		Labels:             types.Labels(emptyToNil(b.Labels)),
		NoCache:            b.NoCache,
		Tags:               types.StringList(b.Tags),
		DockerfileInline:   b.DockerfileInline,
		AdditionalContexts: types.Mapping(emptyToNil(b.AdditionalContexts)),
		CacheFrom:          types.StringList(b.CacheFrom),
		CacheTo:            types.StringList(b.CacheTo),
		Network:            b.Network,
		ShmSize:            types.UnitBytes(b.ShmSize),
		Privileged:         b.Privileged,
		Pull:               b.Pull,
		Isolation:          b.Isolation,
		Platforms:          types.StringList(b.Platforms),
	}
	if len(b.Args) > 0 {
		out.Args = types.NewMappingWithEquals(envList(b.Args))
	}
	for _, ref := range b.Secrets {
		out.Secrets = append(out.Secrets, types.ServiceSecretConfig(toFileReference(ref)))
	}
	for _, k := range b.SSH {
		// compose-go prints an SSHKey with a path as `"id": path`, which is
		// neither valid JSON nor read back; "id=path" with no path is the
		// list form its loader reads.
		out.SSH = append(out.SSH, types.SSHKey{ID: k.String()})
	}
	if len(b.ExtraHosts) > 0 {
		out.ExtraHosts = types.HostsList{}
		for _, h := range b.ExtraHosts {
			host, ip, _ := strings.Cut(h, ":")
			out.ExtraHosts[host] = append(out.ExtraHosts[host], ip)
		}
	}
	if len(b.Ulimits) > 0 {
		out.Ulimits = map[string]*types.UlimitsConfig{}
		for name, u := range b.Ulimits {
			c := &types.UlimitsConfig{Soft: int(u.Soft), Hard: int(u.Hard)}
			if u.Soft == u.Hard {
				c = &types.UlimitsConfig{Single: int(u.Soft)}
			}
			out.Ulimits[name] = c
		}
	}
	return out
}

func sortSSH(keys []BuildSSH) {
	sort.SliceStable(keys, func(i, j int) bool { return keys[i].ID < keys[j].ID })
}
