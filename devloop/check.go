package devloop

import (
	"fmt"
	"os"
	"sort"

	"github.com/stack-dev/stack/spec"
)

// Check validates the develop.watch rules of the services the loop will
// watch (services; none means every service that has rules) before
// anything starts: a rule's path must exist, a sync action needs a target,
// rebuild needs a build section and sync+exec an exec command. Problems
// name the key path and, where the loader knew it, file:line:col. It
// returns the names of the watched services, sorted.
func Check(p *spec.Project, services []string) ([]string, error) {
	if len(services) == 0 {
		for name, s := range p.Services {
			if s.Develop != nil && len(s.Develop.Watch) > 0 {
				services = append(services, name)
			}
		}
		if len(services) == 0 {
			return nil, &spec.Error{Diags: []spec.Diagnostic{{Summary: "no service has develop.watch rules",
				Detail: "add a develop { watch { ... } } block (HCL) or develop.watch (compose) to a service"}}}
		}
	}
	sort.Strings(services)
	for _, name := range services {
		if p.Services[name] == nil {
			// A mistyped name on the command line, not a fault of the
			// file: the same error (and exit code) as up's.
			return nil, fmt.Errorf("no such service: %s", name)
		}
	}
	var diags []spec.Diagnostic
	add := func(s *spec.Service, key, format string, args ...any) {
		diags = append(diags, spec.Diagnostic{Pos: s.Pos(key), KeyPath: "services." + s.Name + "." + key, Summary: fmt.Sprintf(format, args...)})
	}
	for _, name := range services {
		s := p.Services[name]
		if s.Develop == nil || len(s.Develop.Watch) == 0 {
			add(s, "", "service %s has no develop.watch rules", name)
			continue
		}
		for i, r := range s.Develop.Watch {
			key := fmt.Sprintf("develop.watch[%d]", i)
			if r.Path == "" {
				add(s, key, "a watch rule needs a path")
			} else if _, err := os.Stat(r.Path); err != nil {
				add(s, key+".path", "%s does not exist", r.Path)
			}
			if r.Syncs() && r.Target == "" {
				add(s, key, "action %s needs a target (the path in the container)", r.Action)
			}
			if r.Target != "" && r.Target[0] != '/' {
				add(s, key+".target", "target %s must be an absolute path in the container", r.Target)
			}
			if r.Action == spec.WatchRebuild && s.Build == nil {
				add(s, key+".action", "action rebuild needs a build section in service %s", name)
			}
			if r.Action == spec.WatchSyncExec && (r.Exec == nil || len(r.Exec.Command) == 0) {
				add(s, key, "action sync+exec needs exec.command")
			}
			if r.Exec != nil && r.Exec.Privileged {
				add(s, key+".exec.privileged", "privileged exec is not supported by stack watch")
			}
		}
	}
	if len(diags) > 0 {
		return nil, &spec.Error{Diags: diags}
	}
	return services, nil
}
