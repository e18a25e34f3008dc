package spec

import (
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
)

// developFromCompose maps services.<name>.develop; compose-go has made the
// paths absolute.
func developFromCompose(name string, s *Service, d *types.DevelopConfig) (*Develop, error) {
	if d == nil {
		return nil, nil
	}
	out := &Develop{}
	for i, t := range d.Watch {
		key := fmt.Sprintf("develop.watch[%d]", i)
		switch string(t.Action) {
		case WatchSync, WatchRebuild, WatchRestart, WatchSyncRestart, WatchSyncExec:
		default:
			return nil, errorf(s.Pos(key+".action"), "services.%s.%s.action: unknown action %q (want sync, rebuild, restart, sync+restart or sync+exec)", name, key, t.Action)
		}
		r := WatchRule{
			Action: string(t.Action), Path: t.Path, Target: t.Target,
			Ignore: append([]string(nil), t.Ignore...), Include: append([]string(nil), t.Include...),
			InitialSync: t.InitialSync,
		}
		if len(t.Exec.Command) > 0 {
			e := &WatchExec{
				Command: append([]string(nil), t.Exec.Command...), User: t.Exec.User,
				WorkingDir: t.Exec.WorkingDir, Privileged: t.Exec.Privileged,
				Environment: resolvedMapping(t.Exec.Environment),
			}
			if len(e.Environment) == 0 {
				e.Environment = nil
			}
			r.Exec = e
		}
		out.Watch = append(out.Watch, r)
	}
	return out, nil
}

// developToCompose is the reverse of developFromCompose.
func developToCompose(d *Develop) *types.DevelopConfig {
	if d == nil {
		return nil
	}
	out := &types.DevelopConfig{}
	for _, r := range d.Watch {
		t := types.Trigger{
			Path: r.Path, Action: types.WatchAction(r.Action), Target: r.Target,
			Ignore: r.Ignore, Include: r.Include, InitialSync: r.InitialSync,
		}
		if e := r.Exec; e != nil {
			t.Exec = types.ServiceHook{Command: types.ShellCommand(e.Command), User: e.User, WorkingDir: e.WorkingDir, Privileged: e.Privileged}
			if len(e.Environment) > 0 {
				t.Exec.Environment = types.NewMappingWithEquals(envList(e.Environment))
			}
		}
		out.Watch = append(out.Watch, t)
	}
	return out
}
