package spec

import "time"

// Deploy holds the compose deploy keys only a swarm reads (stack deploy):
// a single engine runs the service as if they were not there.
type Deploy struct {
	// Mode is "", "replicated", "global", "replicated-job" or "global-job".
	Mode string `json:",omitempty"`
	// EndpointMode is "", "vip" or "dnsrr".
	EndpointMode string `json:",omitempty"`
	// Labels go on the swarm service, not its containers.
	Labels         map[string]string `json:",omitempty"`
	UpdateConfig   *UpdateConfig     `json:",omitempty"`
	RollbackConfig *UpdateConfig     `json:",omitempty"`
	Placement      Placement         `json:",omitzero"`
	// RestartDelay and RestartWindow are deploy.restart_policy's delay
	// and window.
	RestartDelay  *time.Duration `json:",omitempty"`
	RestartWindow *time.Duration `json:",omitempty"`
}

// UpdateConfig says how a swarm rolls a service's tasks (update_config,
// rollback_config).
type UpdateConfig struct {
	Parallelism     *uint64       `json:",omitempty"`
	Delay           time.Duration `json:",omitempty"`
	FailureAction   string        `json:",omitempty"` // continue, rollback, pause
	Monitor         time.Duration `json:",omitempty"`
	MaxFailureRatio float64       `json:",omitempty"`
	Order           string        `json:",omitempty"` // stop-first, start-first
}

// Placement says which nodes a swarm runs a service's tasks on.
type Placement struct {
	Constraints []string `json:",omitempty"`
	// Preferences are spread descriptors ("node.labels.zone").
	Preferences []string `json:",omitempty"`
	MaxReplicas uint64   `json:",omitempty"`
}
