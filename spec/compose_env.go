package spec

import (
	"errors"
	"io/fs"

	"github.com/compose-spec/compose-go/v2/types"
)

// resolveComposeEnvironments reads each service's env_file files into its
// environment, as compose-go would for the whole project, except that a
// missing env_file of a service the command does not need (not among
// selected or their dependencies) is no error: Compose selects the
// services before it reads their files. That service keeps the
// environment written in the file.
func resolveComposeEnvironments(cp *types.Project, selected []string) (*types.Project, error) {
	need := map[string]bool{}
	var visit func(string)
	visit = func(name string) {
		if need[name] {
			return
		}
		need[name] = true
		for dep := range cp.Services[name].DependsOn {
			if _, ok := cp.Services[dep]; ok {
				visit(dep)
			}
		}
	}
	for _, name := range selected {
		if _, ok := cp.Services[name]; ok {
			visit(name)
		}
	}
	out := *cp
	out.Services = types.Services{}
	for name, svc := range cp.Services {
		one := *cp
		one.Services = types.Services{name: svc}
		one.DisabledServices = nil
		resolved, err := one.WithServicesEnvironmentResolved(true)
		switch {
		case err == nil:
			out.Services[name] = resolved.Services[name]
		case len(selected) > 0 && !need[name] && errors.Is(err, fs.ErrNotExist):
			svc.EnvFiles = nil
			out.Services[name] = svc
		default:
			return nil, err
		}
	}
	return &out, nil
}
