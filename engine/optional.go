package engine

import "fmt"

// skipOptional says on a service's rows that an optional dependency
// (required: false) failed and is not waited for, as Compose warns and
// starts the service anyway.
func (x *executor) skipOptional(sp *ServicePlan, dep, what string) {
	for _, a := range sp.Actions {
		if a.Kind != ActRemove {
			x.e.emit(Status{Object: a.Name, Service: sp.Service, Phase: PhaseWarning,
				Detail: fmt.Sprintf("optional dependency %s %s; starting anyway", dep, what)})
		}
	}
}
