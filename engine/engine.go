// Package engine turns a spec.Project into running containers: it observes
// what the project has in Docker (from labels alone), plans the difference,
// and applies the plan through the narrow Docker interface.
package engine

import (
	"time"

	"go.uber.org/zap"

	"github.com/stack-dev/stack/provider"
	"github.com/stack-dev/stack/spec"
)

// Engine runs stacks against one Docker daemon.
type Engine struct {
	docker Docker
	log    *zap.Logger
	report Reporter
	// providers runs provider services (providers.go); nil: the binaries.
	providers provider.Service
}

// New returns an engine that talks to docker, logs to log (nil: no logs) and
// reports user-facing progress to report (nil: none).
func New(docker Docker, log *zap.Logger, report Reporter) *Engine {
	if log == nil {
		log = zap.NewNop()
	}
	if report == nil {
		report = func(Status) {}
	}
	return &Engine{docker: docker, log: log, report: report}
}

// WithReporter returns an engine like e that reports progress to report:
// for a phase shown in a display of its own, such as the stop at the end of
// an attached up.
func (e *Engine) WithReporter(report Reporter) *Engine {
	ne := New(e.docker, e.log, report)
	ne.providers = e.providers
	return ne
}

// Phases of a Status, in the words the user sees.
const (
	PhaseBuilding = "building"
	PhaseBuilt    = "built"
	PhasePulling  = "pulling"
	PhasePulled   = "pulled"
	PhasePushing  = "pushing"
	PhasePushed   = "pushed"
	PhaseCreating = "creating"
	PhaseCreated  = "created"
	PhaseStarting = "starting"
	PhaseRunning  = "running"
	PhaseWaiting  = "waiting"
	PhaseHealthy  = "healthy"
	PhaseExited   = "exited"
	PhaseStopping = "stopping"
	PhaseStopped  = "stopped"
	PhaseRemoving = "removing"
	PhaseRemoved  = "removed"
	PhaseUpToDate = "up to date"
	PhaseRecreate = "recreating"
	PhaseError    = "error"
	PhaseWarning  = "warning"
)

// Status is one user-facing progress update: what happened to which object.
// Renderers (tty, plain, json) in cmd/stack turn these into output.
type Status struct {
	// Object is what the update is about: a container name, "network x",
	// "volume x", or "image x".
	Object  string
	Service string
	Phase   string
	Detail  string // e.g. "waiting for db to be healthy", a build step
	Current int64  // progress, when known (bytes or steps)
	Total   int64
	Time    time.Time
	Err     error
	// Done marks the last update for Object in this operation.
	Done bool
}

// Reporter receives progress updates. It is called from several goroutines
// and must be safe for that.
type Reporter func(Status)

func (e *Engine) emit(s Status) {
	if s.Time.IsZero() {
		s.Time = time.Now()
	}
	e.report(s)
}

// ImageName is the image a service runs: its image, or for a service that
// only builds, "<project>-<service>" as Compose names it.
func ImageName(p *spec.Project, s *spec.Service) string {
	if s.Image != "" {
		return s.Image
	}
	return p.Name + "-" + s.Name
}
