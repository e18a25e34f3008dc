// Package swarm deploys a [spec.Project] to a Docker Swarm as services,
// networks, secrets and configs named and labelled as `docker stack deploy`
// names them, so the docker CLI's stack verbs see the stack. It reaches the
// daemon only through the narrow [Swarm] interface, implemented by the moby
// adapter (engine/mobydocker) and an in-memory fake (swarm/swarmfake), both
// passing one conformance suite (swarm/swarmtest).
package swarm

import (
	"context"
	"errors"
	"time"
)

// Errors implementations map the daemon's answers to, wrapped with context.
var (
	ErrNotFound   = errors.New("not found")
	ErrConflict   = errors.New("already exists")
	ErrNotManager = errors.New("the engine is not a swarm manager")
)

// Labels the docker CLI puts on a stack's objects.
const (
	LabelNamespace = "com.docker.stack.namespace"
	LabelImage     = "com.docker.stack.image"
	// LabelSpecHash is the hash of the spec stack deployed, so an
	// unchanged service is left alone (its version stays).
	LabelSpecHash = "dev.stack.swarm.spec-hash"
	// LabelContentHash is on secrets and configs: the hash their name carries.
	LabelContentHash = "dev.stack.swarm.content-hash"
)

// Swarm is the package's only door to a swarm manager. Lists take labels
// that every returned object carries.
type Swarm interface {
	// Manager reports whether the engine is a manager of an active swarm.
	Manager(ctx context.Context) (bool, error)

	ServiceList(ctx context.Context, labels map[string]string) ([]Service, error)
	ServiceCreate(ctx context.Context, spec ServiceSpec) (string, error)
	// ServiceUpdate replaces the spec of the service at version.
	ServiceUpdate(ctx context.Context, id string, version uint64, spec ServiceSpec) error
	ServiceRemove(ctx context.Context, id string) error
	// TaskList lists the tasks of a service, newest first.
	TaskList(ctx context.Context, serviceID string) ([]Task, error)
	// ServiceLogs calls each for every line the service's tasks logged,
	// in order per task, until the logs end or, with Follow, ctx ends.
	ServiceLogs(ctx context.Context, serviceID string, opts LogOptions, each func(LogLine)) error

	NetworkList(ctx context.Context, labels map[string]string) ([]Network, error)
	NetworkCreate(ctx context.Context, spec NetworkSpec) (string, error)
	NetworkRemove(ctx context.Context, id string) error

	SecretList(ctx context.Context, labels map[string]string) ([]Object, error)
	SecretCreate(ctx context.Context, spec ObjectSpec) (string, error)
	SecretRemove(ctx context.Context, id string) error

	ConfigList(ctx context.Context, labels map[string]string) ([]Object, error)
	ConfigCreate(ctx context.Context, spec ObjectSpec) (string, error)
	ConfigRemove(ctx context.Context, id string) error
}

// Service modes.
const (
	ModeReplicated    = "replicated"
	ModeGlobal        = "global"
	ModeReplicatedJob = "replicated-job"
	ModeGlobalJob     = "global-job"
)

// Service is a swarm service as it is now.
type Service struct {
	ID      string
	Version uint64
	Spec    ServiceSpec
	// Update is the state of the service's last rolling update; zero if
	// none ran.
	Update UpdateStatus
}

// Rolling update states.
const (
	UpdateUpdating          = "updating"
	UpdatePaused            = "paused"
	UpdateCompleted         = "completed"
	UpdateRollbackStarted   = "rollback_started"
	UpdateRollbackPaused    = "rollback_paused"
	UpdateRollbackCompleted = "rollback_completed"
)

// UpdateStatus is how a service's rolling update went.
type UpdateStatus struct {
	State     string // an Update constant; "": no update
	Started   time.Time
	Completed time.Time
	Message   string
}

// Failed reports whether the update stopped or was rolled back.
func (u UpdateStatus) Failed() bool {
	switch u.State {
	case UpdatePaused, UpdateRollbackStarted, UpdateRollbackPaused, UpdateRollbackCompleted:
		return true
	}
	return false
}

// LogOptions select a service's log lines.
type LogOptions struct {
	Follow     bool
	Tail       string // "all" or a number of lines per task; "": all
	Timestamps bool   // prefix each line's text with its time (RFC 3339)
}

// LogLine is one line a task logged.
type LogLine struct {
	TaskID string
	NodeID string
	Stderr bool
	Text   string // without the newline
}

// ServiceSpec is what stack sets on a swarm service.
type ServiceSpec struct {
	Name   string
	Labels map[string]string

	Image           string
	Command         []string // the entrypoint; nil: the image's
	Args            []string // nil: the image's
	Env             []string // KEY=value, sorted
	Dir             string
	User            string
	Hostname        string
	ContainerLabels map[string]string
	Init            *bool
	StopSignal      string
	StopGracePeriod *time.Duration
	ReadOnly        bool
	TTY             bool
	OpenStdin       bool
	CapAdd          []string
	CapDrop         []string
	Sysctls         map[string]string
	DNS             []string
	DNSSearch       []string
	DNSOptions      []string
	Hosts           []string // "ip host", as the API takes them
	Healthcheck     *Healthcheck
	Mounts          []Mount
	Secrets         []FileRef
	Configs         []FileRef

	Networks []NetworkAttachment
	Ports    []Port

	Mode     string  // a Mode constant
	Replicas *uint64 // replicated and replicated-job
	Restart  *RestartPolicy

	LimitNanoCPUs      int64
	LimitMemoryBytes   int64
	ReserveMemoryBytes int64
	LogDriver          string
	LogOptions         map[string]string

	EndpointMode string // "vip" (default) or "dnsrr"
	Update       *UpdateConfig
	Rollback     *UpdateConfig
	Constraints  []string
	Preferences  []string // spread descriptors
	MaxReplicas  uint64   // per node; 0: no limit
}

// UpdateConfig says how a swarm rolls a service's tasks.
type UpdateConfig struct {
	Parallelism     uint64
	Delay           time.Duration
	FailureAction   string
	Monitor         time.Duration
	MaxFailureRatio float32
	Order           string
}

// Healthcheck is a task's health probe.
type Healthcheck struct {
	Test        []string
	Interval    time.Duration
	Timeout     time.Duration
	StartPeriod time.Duration
	Retries     int
}

// Mount is a volume, bind or tmpfs mount of a service's tasks.
type Mount struct {
	Type     string // "volume", "bind", "tmpfs"
	Source   string
	Target   string
	ReadOnly bool
	// Volume only: the labels and driver of a volume the node creates.
	VolumeLabels map[string]string
	VolumeDriver string
	DriverOpts   map[string]string
	NoCopy       bool
	TmpfsSize    int64
}

// FileRef mounts a secret or config into a task as a file.
type FileRef struct {
	ID     string
	Name   string
	Target string // secrets: a name under /run/secrets or a path; configs: a path
	UID    string
	GID    string
	Mode   uint32
}

// NetworkAttachment attaches a service to a network by name.
type NetworkAttachment struct {
	Target  string
	Aliases []string
}

// Port is a published port.
type Port struct {
	Protocol  string // tcp, udp, sctp
	Target    uint32
	Published uint32 // 0: chosen by the swarm
	Mode      string // PortIngress or PortHost
}

// Port publish modes.
const (
	// PortIngress publishes on every node through the routing mesh, to
	// the service's virtual IP.
	PortIngress = "ingress"
	// PortHost publishes on the nodes the tasks run on, straight to the
	// task.
	PortHost = "host"
)

// Restart conditions.
const (
	RestartNone      = "none"
	RestartOnFailure = "on-failure"
	RestartAny       = "any"
)

// RestartPolicy says when a swarm restarts a task.
type RestartPolicy struct {
	Condition   string
	MaxAttempts *uint64
	Delay       *time.Duration
	Window      *time.Duration
}

// Task states stack reads.
const (
	TaskRunning  = "running"
	TaskComplete = "complete"
	TaskFailed   = "failed"
	TaskRejected = "rejected"
	TaskShutdown = "shutdown"
)

// Task is one task of a service.
type Task struct {
	ID           string
	ServiceID    string
	Slot         int
	NodeID       string
	State        string
	DesiredState string
	Err          string
	ExitCode     int
	Version      uint64 // the task object's version
	Created      time.Time
	// Since is when the task entered its state.
	Since time.Time
	// UpToDate: the task runs the service's current task template (a
	// rolling update has not yet replaced it otherwise).
	UpToDate bool
	Image    string
	Node     string // the node's hostname; "" if unknown
}

// Network is a swarm-scoped network.
type Network struct {
	ID     string
	Name   string
	Labels map[string]string
	Driver string // "" until the swarm has allocated the network
}

// NetworkSpec is a network to create.
type NetworkSpec struct {
	Name       string
	Driver     string // default overlay
	Labels     map[string]string
	Options    map[string]string
	Internal   bool
	Attachable bool
	Subnets    []string
}

// Object is a secret or config.
type Object struct {
	ID     string
	Name   string
	Labels map[string]string
}

// ObjectSpec is a secret or config to create.
type ObjectSpec struct {
	Name   string
	Labels map[string]string
	Data   []byte
}
