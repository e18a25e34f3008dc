// Package spec is the model of a stack: services, networks, volumes, secrets
// and configs, loaded from HCL (stack.hcl) or compose files into one validated
// [Project]. It knows nothing of Docker; the engine turns a Project into
// containers.
package spec

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Project is a loaded, validated stack.
type Project struct {
	// Name is the project name: the `name` attribute, -p, or the folder name.
	Name string
	// WorkingDir is the folder relative paths were resolved against.
	WorkingDir string
	// Files are the stack files the project was loaded from, in order.
	Files []string

	Services map[string]*Service
	Networks map[string]*Network
	Volumes  map[string]*Volume
	Secrets  map[string]*Secret
	Configs  map[string]*Config

	// Disabled holds services left out by profiles; references to them from
	// enabled services are errors unless the dependency is not required.
	Disabled map[string]*Service

	// Uninterpolated says the project was loaded with NoInterpolate: its
	// values hold ${VAR} as written, and are printed so.
	Uninterpolated bool `json:"-"`

	// Warnings are problems that do not stop the stack: keys the model
	// does not support, lint findings from loading.
	Warnings []Diagnostic

	// Labels are put on every object the engine creates for the project,
	// set by the caller rather than a stack file (the session labels of
	// stacktest and `up --ttl`, which are part of no config hash).
	Labels map[string]string `json:"-"`
}

// Pos is a place in a stack file, for messages that point the user at a line.
type Pos struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

func (p Pos) String() string {
	if p.File == "" {
		return ""
	}
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Service is one service of the stack: a container template run Replicas times.
type Service struct {
	Name string

	Image      string
	Build      *Build
	PullPolicy string // "", "missing", "always", "never", "build"
	Platform   string

	Command     []string // nil: the image's default
	Entrypoint  []string // nil: the image's default
	Environment map[string]string
	WorkingDir  string
	User        string
	Hostname    string
	Labels      map[string]string

	Ports   []Port
	Expose  []string // container ports, "8080" or "8080/udp"
	Volumes []Mount
	// Networks maps a network key of Project.Networks to this service's
	// attachment. A service with no networks is attached to "default".
	Networks   map[string]*ServiceNetwork
	ExtraHosts []string // "host:ip"

	DependsOn   map[string]Dependency
	Healthcheck *Healthcheck

	Restart         string // "no" (default), "always", "on-failure", "on-failure:N", "unless-stopped"
	Replicas        int    // desired number of containers; 1 unless set
	ContainerName   string
	Profiles        []string
	StopSignal      string
	StopGracePeriod *time.Duration

	Secrets []FileRef
	Configs []FileRef

	Resources   Resources
	Init        *bool
	ReadOnly    bool
	Privileged  bool
	CapAdd      []string
	CapDrop     []string
	SecurityOpt []string
	Tty         bool
	StdinOpen   bool

	// NetworkMode is "", "bridge", "host", "none", "service:NAME" or
	// "container:ID"; a service with a mode other than bridge has no
	// Networks. Ipc and Pid take "host", "private", "shareable" (ipc),
	// "service:NAME" or "container:ID".
	NetworkMode string        `json:",omitempty"`
	Ipc         string        `json:",omitempty"`
	Pid         string        `json:",omitempty"`
	VolumesFrom []VolumesFrom `json:",omitempty"`
	// Links are "service[:alias]": the alias resolves to the service on
	// the networks both share. ExternalLinks name containers outside the
	// stack the same way.
	Links         []string `json:",omitempty"`
	ExternalLinks []string `json:",omitempty"`
	// UseAPISocket gives the container the engine's API socket and the
	// user's registry credentials.
	UseAPISocket bool `json:",omitempty"`
	// PullRefreshAfter is how old a local image may get before pull_policy
	// "refresh" pulls it again.
	PullRefreshAfter time.Duration `json:",omitempty"`

	RuntimeOptions

	// Positions maps a key path within the service ("image", "ports[0]",
	// "environment.PASSWORD", "build.context", ...) to where it was written,
	// so later checks (lint, validation) can point at the line. Loaders fill
	// what they know; a missing key means unknown.
	Positions map[string]Pos

	// Lifecycle hooks, providers and attach (model_hooks.go).
	PreStart  []PreStartHook `json:",omitempty"` // containers run to completion before the service's containers start
	PostStart []Hook         `json:",omitempty"` // execs in each container right after it starts
	PreStop   []Hook         `json:",omitempty"` // execs in each container right before it stops
	Provider  *Provider      `json:",omitempty"` // run by a provider binary instead of as containers
	Attach    *bool          `json:",omitempty"` // nil: true; false leaves the service out of attached up and logs -f
	// UnsetEnv are variables listed in environment without a value that
	// are not set either (`environment: [VAR]`): unset in the container,
	// even if the image sets them, as in Compose.
	UnsetEnv []string `json:",omitempty"`
	// Deploy holds the deploy keys only a swarm reads; nil: none given.
	Deploy *Deploy `json:",omitempty"`
	// Develop is the dev loop `stack watch` runs (develop.watch).
	Develop *Develop `json:",omitempty"`
}

// Pos returns where key was written in the service, falling back to the
// service itself ("" key) when that key has no recorded position.
func (s *Service) Pos(key string) Pos {
	for {
		if p, ok := s.Positions[key]; ok {
			return p
		}
		// "devices[2]" falls back to "devices", "ulimits.nofile" to "ulimits".
		i := strings.LastIndexAny(key, ".[")
		if i <= 0 {
			return s.Positions[""]
		}
		key = key[:i]
	}
}

// Build says how to build a service's image.
type Build struct {
	Context    string            // absolute path or URL
	Dockerfile string            // relative to Context; default "Dockerfile"
	Args       map[string]string // build args
	Target     string
	Labels     map[string]string
	NoCache    bool
	Tags       []string // extra tags besides the service image

	DockerfileInline string // the Dockerfile itself, instead of Dockerfile
	// AdditionalContexts maps a name the Dockerfile uses (FROM name,
	// COPY --from=name) to a folder (absolute), "docker-image://ref" or
	// "service:NAME" (the image that service builds).
	AdditionalContexts map[string]string
	Secrets            []FileRef  // Source: key of Project.Secrets; Target: the secret's id ("" = Source)
	SSH                []BuildSSH // agent sockets and keys for RUN --mount=type=ssh
	CacheFrom          []string
	CacheTo            []string
	Network            string                 // "", "default", "host", "none" or a network name
	ShmSize            int64                  // bytes of /dev/shm for RUN steps; 0 = the builder's
	ExtraHosts         []string               // "host:ip"
	Ulimits            map[string]BuildUlimit // by name ("nofile")
	Privileged         bool
	Pull               bool // always pull the base images
	Isolation          string
	Platforms          []string
}

// BuildSSH is one SSH agent or key set a build may use: ID "default" with
// no Path is $SSH_AUTH_SOCK.
type BuildSSH struct {
	ID   string
	Path string // agent socket or private key file (absolute); "" = $SSH_AUTH_SOCK
}

func (k BuildSSH) String() string {
	if k.Path == "" {
		return k.ID
	}
	return k.ID + "=" + k.Path
}

// BuildUlimit is one resource limit of a build's RUN steps.
type BuildUlimit struct {
	Soft int64
	Hard int64
}

// Port is one published port.
type Port struct {
	HostIP        string // "" means all interfaces
	HostPort      string // "" (ephemeral), "8080", or a range "8080-8081"
	ContainerPort uint16
	Protocol      string // "tcp" (default), "udp", "sctp"
	// Mode is how a swarm publishes the port: "" (ingress, the routing
	// mesh, the default) or PortModeHost (on the nodes its tasks run on).
	// stack up publishes every port on the host and ignores it.
	Mode string `json:",omitempty"`
}

// PortModeHost publishes a swarm service's port on the nodes its tasks run on.
const PortModeHost = "host"

func (p Port) String() string {
	s := fmt.Sprintf("%d/%s", p.ContainerPort, p.protocol())
	if p.HostPort != "" || p.HostIP != "" {
		host := p.HostPort
		if p.HostIP != "" {
			host = p.HostIP + ":" + p.HostPort
		}
		s = host + "->" + s
	}
	return s
}

func (p Port) protocol() string {
	if p.Protocol == "" {
		return "tcp"
	}
	return p.Protocol
}

// Mount types.
const (
	MountVolume = "volume"
	MountBind   = "bind"
	MountTmpfs  = "tmpfs"
)

// Mount is a volume, bind or tmpfs mount of a service.
type Mount struct {
	Type string // MountVolume, MountBind, MountTmpfs
	// Source is the key of a Project.Volumes entry for a named volume, ""
	// for an anonymous volume or tmpfs, or an absolute host path for a bind.
	Source    string
	Target    string
	ReadOnly  bool
	TmpfsSize int64 // bytes, tmpfs only
	// CreateHostPath creates a missing bind source folder (Compose's
	// default for the short syntax).
	CreateHostPath bool

	// NoCopy leaves a new volume empty instead of copying the image's
	// files at the target into it; Subpath mounts a folder of the volume.
	NoCopy  bool   `json:",omitempty"`
	Subpath string `json:",omitempty"`
	// Propagation is a bind's mount propagation (rprivate, shared, slave,
	// ...); SELinux relabels its source: "z" shared, "Z" private.
	Propagation string `json:",omitempty"`
	SELinux     string `json:",omitempty"`
	// Consistency ("consistent", "cached", "delegated") is read by Docker
	// Desktop's file sharing only.
	Consistency string `json:",omitempty"`
	TmpfsMode   uint32 `json:",omitempty"` // tmpfs only; 0: Docker's 1777
}

// ServiceNetwork is a service's attachment to a network.
type ServiceNetwork struct {
	Aliases     []string
	IPv4Address string
}

// Dependency conditions.
const (
	ConditionStarted   = "service_started"
	ConditionHealthy   = "service_healthy"
	ConditionCompleted = "service_completed_successfully"
)

// Dependency is one depends_on entry.
type Dependency struct {
	Condition string // one of the Condition constants; default ConditionStarted
	Required  bool   // default true
	Restart   bool   // restart the dependent when the dependency is recreated
}

// Healthcheck is a container health probe.
type Healthcheck struct {
	// Test is in Docker's form: ["CMD", args...], ["CMD-SHELL", "cmd"] or ["NONE"].
	Test          []string
	Interval      time.Duration
	Timeout       time.Duration
	StartPeriod   time.Duration
	StartInterval time.Duration
	Retries       int
	Disable       bool
}

// Resources are the limits and devices of a service's containers.
type Resources struct {
	CPUs        float64 // 0: no limit
	MemoryBytes int64   // 0: no limit
	GPUs        []DeviceRequest
}

// DeviceRequest asks for devices such as GPUs.
type DeviceRequest struct {
	Driver       string
	Count        int // -1: all
	DeviceIDs    []string
	Capabilities []string
	Options      map[string]string `json:",omitempty"`
}

// FileRef mounts a secret or config into a service's containers as a file.
type FileRef struct {
	Source string // key of Project.Secrets or Project.Configs
	Target string // path in the container; default /run/secrets/<source> or /<source>
	UID    string
	GID    string
	Mode   *uint32
}

// Network is a top-level network.
type Network struct {
	Key        string // the name used in the stack file
	Name       string // the Docker network name, default <project>_<key>
	External   bool
	Driver     string
	DriverOpts map[string]string
	Labels     map[string]string
	Internal   bool
	Attachable bool
	EnableIPv6 bool
	// EnableIPv4 is nil unless the stack file says; false turns IPv4 off.
	EnableIPv4 *bool `json:",omitempty"`
	IPAM       IPAM  `json:",omitzero"`
}

// IPAM is a network's address management, Compose's ipam key.
type IPAM struct {
	Driver  string            `json:",omitempty"`
	Options map[string]string `json:",omitempty"`
	Pools   []IPAMPool        `json:",omitempty"` // Compose's ipam.config
}

// IPAMPool is one address pool of a network.
type IPAMPool struct {
	Subnet       string            `json:",omitempty"`
	Gateway      string            `json:",omitempty"`
	IPRange      string            `json:",omitempty"`
	AuxAddresses map[string]string `json:",omitempty"`
}

// Subnets returns the subnets of the network's pools.
func (n *Network) Subnets() []string {
	var out []string
	for _, p := range n.IPAM.Pools {
		if p.Subnet != "" {
			out = append(out, p.Subnet)
		}
	}
	return out
}

// Volume is a top-level named volume.
type Volume struct {
	Key        string // the name used in the stack file
	Name       string // the Docker volume name, default <project>_<key>
	External   bool
	Driver     string
	DriverOpts map[string]string
	Labels     map[string]string
}

// Secret is a top-level secret. Its value is never printed.
type Secret struct {
	Key         string
	Name        string
	File        string // absolute path
	Environment string // name of an environment variable holding the value
	Content     string // inline value (never printed)
	External    bool
}

// Config is a top-level config file.
type Config struct {
	Key         string
	Name        string
	File        string
	Environment string
	Content     string
	External    bool
}

// ServiceNames returns the names of the enabled services, sorted.
func (p *Project) ServiceNames() []string {
	return sortedKeys(p.Services)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
