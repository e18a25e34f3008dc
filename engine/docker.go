package engine

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/stack-dev/stack/spec"
)

// Docker is the engine's only door to the Docker daemon. It speaks in the
// engine's own types, so the planner and executor can run against an
// in-memory fake (package dockerfake) as well as the real daemon (package
// mobydocker); both pass the same conformance suite (package dockertest).
//
// Implementations map "no such object" to ErrNotFound and "already exists /
// name in use" to ErrConflict, wrapped with context.
type Docker interface {
	// Version reports the daemon's version and the negotiated API version.
	Version(ctx context.Context) (ServerVersion, error)

	// ContainerList lists containers in any state whose labels match.
	ContainerList(ctx context.Context, labels Labels) ([]Container, error)
	ContainerInspect(ctx context.Context, id string) (ContainerState, error)
	// ContainerCreate creates a container, attached to every network in
	// spec.Networks (the first at create, the others connected before it
	// returns), and returns its ID.
	ContainerCreate(ctx context.Context, spec ContainerSpec) (string, error)
	ContainerStart(ctx context.Context, id string) error
	// ContainerStop sends the container's stop signal and kills it after
	// timeout; nil means the container's own stop timeout.
	ContainerStop(ctx context.Context, id string, timeout *time.Duration) error
	ContainerKill(ctx context.Context, id string, signal string) error
	// ContainerRemove removes a container; force kills it first if running.
	// Anonymous volumes are removed with it.
	ContainerRemove(ctx context.Context, id string, force bool) error
	ContainerRename(ctx context.Context, id, name string) error
	// ContainerLogs copies the container's output to stdout and stderr
	// (demultiplexed) until it is done or, with Follow, ctx ends.
	ContainerLogs(ctx context.Context, id string, opts LogOptions, stdout, stderr io.Writer) error
	// ContainerWait blocks until the container is not running and returns
	// its exit code.
	ContainerWait(ctx context.Context, id string) (int, error)
	// Exec runs a command in a running container and returns its exit code
	// and combined output (capped at 64 KiB), without a TTY.
	Exec(ctx context.Context, id string, cmd []string) (ExecResult, error)
	// ExecAttach runs opts.Cmd in a running container wired to opts'
	// streams and returns its exit code once it ends. With opts.Tty the
	// output is raw and all goes to Stdout.
	ExecAttach(ctx context.Context, id string, opts ExecOptions) (int, error)
	// ContainerAttach attaches streams to a created, not yet started
	// container, so no output is lost; the returned wait blocks until the
	// container's output ends. Attach, start, wait, then ContainerWait.
	ContainerAttach(ctx context.Context, id string, opts AttachOptions) (wait func() error, err error)

	NetworkList(ctx context.Context, labels Labels) ([]Network, error)
	NetworkCreate(ctx context.Context, spec NetworkSpec) (string, error)
	// NetworkRemove removes a network by ID or name.
	NetworkRemove(ctx context.Context, id string) error

	VolumeList(ctx context.Context, labels Labels) ([]Volume, error)
	VolumeInspect(ctx context.Context, name string) (Volume, error)
	VolumeCreate(ctx context.Context, spec VolumeSpec) error
	VolumeRemove(ctx context.Context, name string) error

	// ImageInspect returns an image by reference or ID.
	ImageInspect(ctx context.Context, ref string) (Image, error)
	// ImagePull pulls ref, reporting progress to fn (which may be nil).
	ImagePull(ctx context.Context, ref string, fn func(Progress)) error
	// ImageBuild builds an image from a tar build context and returns its ID.
	ImageBuild(ctx context.Context, buildContext io.Reader, spec BuildSpec, fn func(Progress)) (string, error)
	ImagePush(ctx context.Context, ref string, fn func(Progress)) error
	ImageTag(ctx context.Context, source, target string) error
	ImageRemove(ctx context.Context, ref string) error

	// Events streams daemon events whose labels match, from now until ctx
	// ends. The error channel carries at most one error.
	Events(ctx context.Context, labels Labels) (<-chan Event, <-chan error)

	ContainerVerbs
}

// Errors every Docker implementation maps its own errors to.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
)

// Labels is a set of label filters or values: every key must be present with
// the given value; an empty value matches any value.
type Labels map[string]string

// ServerVersion is what the daemon says of itself.
type ServerVersion struct {
	Version    string
	APIVersion string
	OS, Arch   string
}

// Container is a container as listed.
type Container struct {
	ID      string
	Name    string // without the leading slash
	Image   string
	ImageID string
	Labels  map[string]string
	State   string // created, running, paused, restarting, removing, exited, dead
	Status  string // the daemon's human text: "Up 3 minutes (healthy)"
	Created time.Time
	Ports   []PortBinding
}

// ContainerState is the inspected state of one container.
type ContainerState struct {
	Container
	Running    bool
	ExitCode   int
	Error      string
	Health     string // "", "starting", "healthy", "unhealthy"
	HealthLog  []string
	StartedAt  time.Time
	FinishedAt time.Time
	// RestartCount is how often the daemon restarted the container by its
	// restart policy since it was last started by hand.
	RestartCount int
	Networks     map[string][]string // network name -> aliases
	// Mounts are the container's mounts as the daemon made them: a volume
	// mount's Source is the volume's name, also for an anonymous volume
	// (one of the spec or of the image's VOLUME).
	Mounts []Mount
}

// ContainerSpec is everything needed to create a container.
type ContainerSpec struct {
	Name       string
	Image      string
	Cmd        []string // nil: image default
	Entrypoint []string // nil: image default
	Env        []string // KEY=value
	Labels     map[string]string
	User       string
	WorkingDir string
	Hostname   string
	Tty        bool
	OpenStdin  bool
	// StdinOnce closes the container's stdin when the attached client
	// closes its end, so a one-off reading its input sees EOF.
	StdinOnce bool

	ExposedPorts []string // "8080/tcp"
	Ports        []PortBinding
	Mounts       []Mount
	// Networks are attached in order; the first one at create.
	Networks   []NetworkAttachment
	ExtraHosts []string

	Healthcheck   *Healthcheck
	RestartPolicy string // "no", "always", "on-failure", "unless-stopped"
	RestartMax    int    // for on-failure
	// AutoRemove has the daemon remove the container once it exits: a
	// detached one-off run with --rm, which nobody waits for.
	AutoRemove  bool
	StopSignal  string
	StopTimeout *time.Duration

	Init        *bool
	ReadOnly    bool
	Privileged  bool
	CapAdd      []string
	CapDrop     []string
	SecurityOpt []string
	NanoCPUs    int64
	Memory      int64
	GPUs        []DeviceRequest
	Platform    string

	// Files are written into the container after it is created and before
	// it starts: secrets and configs given as content rather than a file.
	Files []ContainerFile

	// NetworkMode, IpcMode and PidMode are Docker's modes ("host", "none",
	// "container:ID", ...); with a NetworkMode, Networks is empty. Before
	// the executor resolves them they may say "service:NAME".
	NetworkMode string `json:",omitempty"`
	IpcMode     string `json:",omitempty"`
	PidMode     string `json:",omitempty"`
	// VolumesFrom are "service:NAME[:ro]" or "container:NAME[:ro]" until
	// resolved to Docker's "ID-or-name[:ro]".
	VolumesFrom []string `json:",omitempty"`
	// Links are "service[:alias]" and ExternalLinks "container[:alias]"
	// until resolved; then Links holds Docker's "container:alias" list.
	Links         []string `json:",omitempty"`
	ExternalLinks []string `json:",omitempty"`
	// APISocket mounts the engine's socket and gives the container the
	// user's registry credentials (use_api_socket).
	APISocket bool `json:",omitempty"`
	// RuntimeOptions are passed to Docker as the stack file wrote them.
	spec.RuntimeOptions
}

// ContainerFile is a file written into a container.
type ContainerFile struct {
	Path     string
	Content  []byte
	Mode     uint32 // 0: 0444
	UID, GID int
}

// PortBinding publishes a container port on the host.
type PortBinding struct {
	HostIP        string
	HostPort      string // "" for an ephemeral port
	ContainerPort uint16
	Protocol      string // "tcp", "udp", "sctp"
}

// Mount is a mount of a container.
type Mount struct {
	Type      string // "volume", "bind", "tmpfs"
	Source    string // volume name, host path, or "" (anonymous volume, tmpfs)
	Target    string
	ReadOnly  bool
	TmpfsSize int64

	NoCopy      bool   `json:",omitempty"`
	Subpath     string `json:",omitempty"`
	Propagation string `json:",omitempty"`
	SELinux     string `json:",omitempty"`
	Consistency string `json:",omitempty"`
	TmpfsMode   uint32 `json:",omitempty"`
}

// NetworkAttachment is a container's endpoint on a network.
type NetworkAttachment struct {
	Network     string // network name
	Aliases     []string
	IPv4Address string
}

// Healthcheck is the Docker healthcheck of a container.
type Healthcheck struct {
	Test          []string // ["CMD", ...], ["CMD-SHELL", "..."], ["NONE"]
	Interval      time.Duration
	Timeout       time.Duration
	StartPeriod   time.Duration
	StartInterval time.Duration
	Retries       int
}

// DeviceRequest asks for devices such as GPUs.
type DeviceRequest struct {
	Driver       string
	Count        int
	DeviceIDs    []string
	Capabilities []string
	Options      map[string]string `json:",omitempty"`
}

// LogOptions select which log lines to copy.
type LogOptions struct {
	Follow     bool
	Tail       string // "all" or a number
	Timestamps bool
	Since      time.Time
}

// ExecResult is the outcome of an Exec.
type ExecResult struct {
	ExitCode int
	Output   string
}

// ExecOptions are the command, settings and streams of an ExecAttach.
type ExecOptions struct {
	Cmd        []string
	User       string
	WorkingDir string
	Env        []string // KEY=value, added to the container's
	Privileged bool     // extended privileges for the command (a privileged hook)
	Streams
}

// AttachOptions are the streams of a ContainerAttach. Tty must match the
// container's: it says whether the output is raw or multiplexed.
type AttachOptions struct {
	Streams
}

// Streams wire a process to the caller: Stdin may be nil (no input);
// Stdout and Stderr may be nil (discarded). With a TTY, Size is the
// terminal's size at the start and every value of Resize a later one.
type Streams struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Tty    bool
	Size   *TerminalSize
	Resize <-chan TerminalSize
}

// TerminalSize is a terminal's size in characters.
type TerminalSize struct {
	Height, Width uint
}

// Network is a network as listed.
type Network struct {
	ID     string
	Name   string
	Driver string
	Labels map[string]string
}

// NetworkSpec is everything needed to create a network.
type NetworkSpec struct {
	Name       string
	Driver     string
	DriverOpts map[string]string
	Labels     map[string]string
	Internal   bool
	Attachable bool
	EnableIPv6 bool
	EnableIPv4 *bool     `json:",omitempty"`
	IPAM       spec.IPAM `json:",omitzero"`
}

// Volume is a volume as listed or inspected.
type Volume struct {
	Name   string
	Driver string
	Labels map[string]string
}

// VolumeSpec is everything needed to create a volume.
type VolumeSpec struct {
	Name       string
	Driver     string
	DriverOpts map[string]string
	Labels     map[string]string
}

// Image is an image as inspected.
type Image struct {
	ID       string
	RepoTags []string
	Labels   map[string]string
	// User is the image's default user ("" means root).
	User string
	// LastTagTime is when a name was last given to the image (by a pull,
	// a build or a tag): what time-based pull policies go by.
	LastTagTime time.Time
	// ExposedPorts are the ports the image declares with EXPOSE, "8080/tcp",
	// sorted.
	ExposedPorts []string
	// Volumes are the paths the image declares with VOLUME, sorted.
	Volumes []string
}

// BuildSpec are the options of an image build.
type BuildSpec struct {
	Tags       []string
	Dockerfile string // path inside the context
	Args       map[string]string
	Target     string
	Labels     map[string]string
	NoCache    bool
	Platform   string

	// Builder is the builder the build needs: BuilderBuildKit (secrets,
	// ssh, inline cache), BuilderClassic (shm_size, ulimits, a named
	// network) or "" for whichever the daemon has.
	Builder     string
	Secrets     []BuildSecret
	SSH         []BuildSSH
	CacheFrom   []string // images to take cache from
	NetworkMode string   // "" (default), "host", "none" or a network name
	ShmSize     int64
	ExtraHosts  []string // "host:ip"
	Ulimits     []BuildUlimit
	PullParent  bool
	Isolation   string
	// Local, when set, is the folder the context tar was made from, for a
	// builder that reads the context itself (BuildKit through a session):
	// the Dockerfile stack wrote then stays out of the context, where the
	// tar must carry it.
	Local *LocalContext
}

// LocalContext is a build context folder with its ignore patterns and the
// Dockerfile stack generated for it.
type LocalContext struct {
	Dir        string
	Excludes   []string
	Dockerfile []byte
}

// Builders a BuildSpec can ask for.
const (
	BuilderBuildKit = "buildkit"
	BuilderClassic  = "classic"
)

// BuildSecret is a secret a build's RUN --mount=type=secret,id=ID reads.
type BuildSecret struct {
	ID    string
	Value []byte `json:"-"`
}

// BuildSSH is an SSH agent socket or key files a build's
// RUN --mount=type=ssh,id=ID uses; no Paths means $SSH_AUTH_SOCK.
type BuildSSH struct {
	ID    string
	Paths []string
}

// BuildUlimit is one resource limit of a build's RUN steps.
type BuildUlimit struct {
	Name       string
	Soft, Hard int64
}

// Progress is one progress report of a pull, push or build.
type Progress struct {
	ID      string // layer or step ID; "" for a plain message
	Status  string // "Downloading", "Pull complete", a build log line, ...
	Current int64  // bytes done, when known
	Total   int64  // bytes in all, when known
}

// Event is one daemon event.
type Event struct {
	Type       string // "container", "network", "volume", "image"
	Action     string // "create", "start", "die", "health_status: healthy", ...
	ID         string
	Attributes map[string]string // includes the object's labels
	Time       time.Time
}
