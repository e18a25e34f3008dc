package spec

import (
	"sort"

	"github.com/compose-spec/compose-go/v2/types"
)

// hooksFromCompose maps post_start, pre_stop, pre_start, provider and
// attach.
func hooksFromCompose(s *Service, cs types.ServiceConfig) {
	for _, h := range cs.PostStart {
		s.PostStart = append(s.PostStart, hookFromCompose(h))
	}
	for _, h := range cs.PreStop {
		s.PreStop = append(s.PreStop, hookFromCompose(h))
	}
	for _, h := range cs.PreStart {
		s.PreStart = append(s.PreStart, PreStartHook{
			Hook: Hook{
				Command:     nilIfNil(h.Command),
				User:        h.User,
				Privileged:  h.Privileged,
				WorkingDir:  h.WorkingDir,
				Environment: resolvedMapping(h.Environment),
			},
			Image:      h.Image,
			PerReplica: h.PerReplica,
		})
	}
	if pc := cs.Provider; pc != nil {
		pr := &Provider{Type: pc.Type}
		for k, vs := range pc.Options {
			if pr.Options == nil {
				pr.Options = map[string][]string{}
			}
			pr.Options[k] = append([]string(nil), vs...)
		}
		s.Provider = pr
	}
	if cs.Attach != nil {
		v := *cs.Attach
		s.Attach = &v
	}
	for k, v := range cs.Environment {
		if v == nil {
			s.UnsetEnv = append(s.UnsetEnv, k)
		}
	}
	sort.Strings(s.UnsetEnv)
}

func hookFromCompose(h types.ServiceHook) Hook {
	return Hook{
		Command:     nilIfNil(h.Command),
		User:        h.User,
		Privileged:  h.Privileged,
		WorkingDir:  h.WorkingDir,
		Environment: resolvedMapping(h.Environment),
	}
}

// hooksToCompose is the inverse of hooksFromCompose.
func hooksToCompose(cs *types.ServiceConfig, s *Service) {
	for _, h := range s.PostStart {
		cs.PostStart = append(cs.PostStart, hookToCompose(h))
	}
	for _, h := range s.PreStop {
		cs.PreStop = append(cs.PreStop, hookToCompose(h))
	}
	for _, h := range s.PreStart {
		ph := types.PreStartHook{PerReplica: h.PerReplica}
		ph.Image = h.Image
		ph.Command = types.ShellCommand(h.Command)
		ph.User = h.User
		ph.Privileged = h.Privileged
		ph.WorkingDir = h.WorkingDir
		ph.Environment = hookEnvToCompose(h.Environment)
		cs.PreStart = append(cs.PreStart, ph)
	}
	if pr := s.Provider; pr != nil {
		pc := &types.ServiceProviderConfig{Type: pr.Type}
		if len(pr.Options) > 0 {
			pc.Options = types.MultiOptions{}
			keys := make([]string, 0, len(pr.Options))
			for k := range pr.Options {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				pc.Options[k] = append([]string(nil), pr.Options[k]...)
			}
		}
		cs.Provider = pc
	}
	if s.Attach != nil {
		v := *s.Attach
		cs.Attach = &v
	}
	for _, k := range s.UnsetEnv {
		if cs.Environment == nil {
			cs.Environment = types.MappingWithEquals{}
		}
		cs.Environment[k] = nil
	}
}

func hookToCompose(h Hook) types.ServiceHook {
	return types.ServiceHook{
		Command:     types.ShellCommand(h.Command),
		User:        h.User,
		Privileged:  h.Privileged,
		WorkingDir:  h.WorkingDir,
		Environment: hookEnvToCompose(h.Environment),
	}
}

func hookEnvToCompose(env map[string]string) types.MappingWithEquals {
	if len(env) == 0 {
		return nil
	}
	return types.NewMappingWithEquals(envList(env))
}
