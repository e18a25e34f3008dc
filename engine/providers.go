package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.uber.org/zap"

	"github.com/stack-dev/stack/provider"
	"github.com/stack-dev/stack/spec"
)

// Provider services (`provider:`) have no containers: their binary runs them
// (package provider). up runs each selected one's `compose up`, in dependency
// order and before any container, and gives the variables it sets to the
// services that depend on it; down runs `compose down` after the containers
// are gone. Everything else of the engine sees the project without them.

// WithProviders returns e running provider services through p (an
// in-memory fake in tests) instead of the provider binaries.
func (e *Engine) WithProviders(p provider.Service) *Engine {
	ne := *e
	ne.providers = p
	return &ne
}

func (e *Engine) providerService() provider.Service {
	if e.providers == nil {
		return &provider.Runner{}
	}
	return e.providers
}

// withoutProviderNames drops provider services from names.
func withoutProviderNames(p *spec.Project, names []string) []string {
	out := names[:0:0]
	for _, n := range names {
		if s := p.Services[n]; s == nil || s.Provider == nil {
			out = append(out, n)
		}
	}
	return out
}

// hasProviders reports whether the project has a provider service.
func hasProviders(p *spec.Project) bool {
	for _, s := range p.Services {
		if s.Provider != nil {
			return true
		}
	}
	return false
}

// upProviders runs the provider services among services (and their
// dependencies; all when services is empty) unless dryRun, and returns the
// project without provider services, their variables in the environment of
// their dependents, and services without provider names.
func (e *Engine) upProviders(ctx context.Context, p *spec.Project, services []string, dryRun bool) (*spec.Project, []string, error) {
	if !hasProviders(p) {
		return p, services, nil
	}
	selected := p.ServiceNames()
	if len(services) > 0 {
		var err error
		if selected, err = p.Closure(services); err != nil {
			return nil, nil, err
		}
	}
	order, err := p.Order()
	if err != nil {
		return nil, nil, err
	}
	env := map[string]map[string]string{} // dependent -> variables
	for _, name := range order {
		s := p.Services[name]
		if s.Provider == nil || !slices.Contains(selected, name) {
			continue
		}
		for _, dep := range p.Dependencies(name) {
			if p.Services[dep].Provider == nil {
				return nil, nil, fmt.Errorf("service %s: a provider service depending on a container service (%s) is not supported: stack runs providers before containers", name, dep)
			}
		}
		if dryRun {
			continue
		}
		vars, err := e.upProvider(ctx, p, s)
		if err != nil {
			return nil, nil, err
		}
		for _, dependent := range p.Dependents(name) {
			if env[dependent] == nil {
				env[dependent] = map[string]string{}
			}
			for k, v := range vars.Env(name) {
				if _, raw := vars.Raw[k]; raw {
					if old, ok := p.Services[dependent].Environment[k]; ok && old != v {
						e.emit(Status{Object: dependent, Service: dependent, Phase: PhaseWarning,
							Detail: fmt.Sprintf("provider %s overrides environment variable %s", name, k)})
					}
				}
				env[dependent][k] = v
			}
		}
	}
	out := *p
	out.Services = map[string]*spec.Service{}
	for name, s := range p.Services {
		if s.Provider != nil {
			continue
		}
		if vars := env[name]; len(vars) > 0 {
			c := *s
			c.Environment = map[string]string{}
			for k, v := range s.Environment {
				c.Environment[k] = v
			}
			for k, v := range vars {
				c.Environment[k] = v
			}
			s = &c
		}
		out.Services[name] = s
	}
	return &out, withoutProviderNames(p, services), nil
}

func (e *Engine) upProvider(ctx context.Context, p *spec.Project, s *spec.Service) (provider.Vars, error) {
	st := Status{Object: s.Name, Service: s.Name, Phase: PhaseCreating}
	e.emit(st)
	vars, err := e.providerService().Up(ctx, p.Name, s, e.providerReport(st))
	if err != nil {
		st.Phase, st.Detail, st.Err, st.Done = PhaseError, err.Error(), err, true
		e.emit(st)
		return provider.Vars{}, err
	}
	st.Phase, st.Detail, st.Done = PhaseCreated, "", true
	e.emit(st)
	return vars, nil
}

// providerReport shows info messages as the service's progress and
// debug messages in the debug log, as Compose does.
func (e *Engine) providerReport(st Status) func(provider.Message) {
	return func(m provider.Message) {
		switch m.Type {
		case provider.TypeInfo:
			st.Detail = firstLine(m.Message)
			e.emit(st)
		case provider.TypeDebug:
			e.log.Debug("provider", zap.String("service", st.Service), zap.String("message", m.Message))
		}
	}
}

// downProviders runs `compose down` of the provider services of p, the
// dependents first.
func (e *Engine) downProviders(ctx context.Context, p *spec.Project, services []string) error {
	return e.eachProvider(ctx, p, services, PhaseRemoving, PhaseRemoved, e.providerService().Down)
}

// stopProviders runs `compose stop` of the provider services of p that
// declare it, the dependents first.
func (e *Engine) stopProviders(ctx context.Context, p *spec.Project, services []string) error {
	return e.eachProvider(ctx, p, services, PhaseStopping, PhaseStopped, e.providerService().Stop)
}

type providerCommand func(ctx context.Context, project string, s *spec.Service, report func(provider.Message)) error

func (e *Engine) eachProvider(ctx context.Context, p *spec.Project, services []string, phase, done string, run providerCommand) error {
	if p == nil || !hasProviders(p) {
		return nil
	}
	order, err := p.Order()
	if err != nil {
		return err
	}
	var errs []error
	for i := len(order) - 1; i >= 0; i-- {
		s := p.Services[order[i]]
		if s.Provider == nil || (len(services) > 0 && !slices.Contains(services, s.Name)) {
			continue
		}
		st := Status{Object: s.Name, Service: s.Name, Phase: phase}
		e.emit(st)
		if err := run(ctx, p.Name, s, e.providerReport(st)); err != nil {
			st.Phase, st.Detail, st.Err, st.Done = PhaseError, err.Error(), err, true
			e.emit(st)
			errs = append(errs, err)
			continue
		}
		st.Phase, st.Detail, st.Done = done, "", true
		e.emit(st)
	}
	return errors.Join(errs...)
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
