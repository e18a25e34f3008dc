package spec

import (
	"slices"
	"strings"
)

// RuntimeOptions holds the settings of a service's containers that the engine
// passes to Docker as they are written: namespaces that name no other
// service, devices, kernel parameters, logging and resource tuning. Each
// field is the compose key of the same name. Zero values mean "not set":
// Docker's default applies.
//
// The JSON tags keep the engine's config hash of a service that sets none
// of these the same as before they existed.
type RuntimeOptions struct {
	Uts          string `json:",omitempty"`
	UsernsMode   string `json:",omitempty"`
	Cgroup       string `json:",omitempty"` // "host" or "private"
	CgroupParent string `json:",omitempty"`
	Isolation    string `json:",omitempty"` // Windows only
	Runtime      string `json:",omitempty"`

	Devices           []Device `json:",omitempty"`
	DeviceCgroupRules []string `json:",omitempty"`
	GroupAdd          []string `json:",omitempty"`

	ShmSize     int64             `json:",omitempty"` // bytes
	Tmpfs       []string          `json:",omitempty"` // "/path" or "/path:options"
	Ulimits     map[string]Ulimit `json:",omitempty"`
	Sysctls     map[string]string `json:",omitempty"`
	StorageOpt  map[string]string `json:",omitempty"`
	Logging     *Logging          `json:",omitempty"`
	Annotations map[string]string `json:",omitempty"`

	DNS        []string `json:",omitempty"`
	DNSOpt     []string `json:",omitempty"`
	DNSSearch  []string `json:",omitempty"`
	DomainName string   `json:",omitempty"`
	MacAddress string   `json:",omitempty"`

	OomKillDisable bool  `json:",omitempty"`
	OomScoreAdj    int64 `json:",omitempty"`
	PidsLimit      int64 `json:",omitempty"` // -1: unlimited

	CPUCount     int64   `json:",omitempty"`
	CPUPercent   float64 `json:",omitempty"`
	CPUPeriod    int64   `json:",omitempty"`
	CPUQuota     int64   `json:",omitempty"`
	CPURTPeriod  int64   `json:",omitempty"`
	CPURTRuntime int64   `json:",omitempty"`
	CPUShares    int64   `json:",omitempty"`
	CPUSet       string  `json:",omitempty"`

	MemReservation int64 `json:",omitempty"` // bytes
	MemSwapLimit   int64 `json:",omitempty"` // bytes; -1: unlimited
	MemSwappiness  int64 `json:",omitempty"`

	Blkio *Blkio `json:",omitempty"`
}

// Device maps a host device into the container: "host:container:perms".
// A CDI device name ("vendor.com/class=name") has only Source.
type Device struct {
	Source      string
	Target      string `json:",omitempty"`
	Permissions string `json:",omitempty"` // "rwm" when empty
}

// IsCDI reports whether the device is named by the Container Device
// Interface rather than a host path.
func (d Device) IsCDI() bool {
	return !strings.HasPrefix(d.Source, "/") && strings.Contains(d.Source, "=")
}

func (d Device) String() string {
	if d.IsCDI() {
		return d.Source
	}
	s := d.Source
	if d.Target != "" {
		s += ":" + d.Target
	}
	if d.Permissions != "" {
		if d.Target == "" {
			s += ":" + d.Source
		}
		s += ":" + d.Permissions
	}
	return s
}

// Ulimit is one resource limit; Compose's single-number form sets both.
type Ulimit struct {
	Soft int64
	Hard int64
}

// Logging is a container's log driver and its options.
type Logging struct {
	Driver  string            `json:",omitempty"`
	Options map[string]string `json:",omitempty"`
}

// Blkio is the block IO weight and throttling of a container.
type Blkio struct {
	Weight          uint16           `json:",omitempty"`
	WeightDevice    []WeightDevice   `json:",omitempty"`
	DeviceReadBps   []ThrottleDevice `json:",omitempty"`
	DeviceReadIOps  []ThrottleDevice `json:",omitempty"`
	DeviceWriteBps  []ThrottleDevice `json:",omitempty"`
	DeviceWriteIOps []ThrottleDevice `json:",omitempty"`
}

// WeightDevice is the relative IO weight of one device.
type WeightDevice struct {
	Path   string
	Weight uint16
}

// ThrottleDevice limits one device to Rate bytes or operations a second.
type ThrottleDevice struct {
	Path string
	Rate int64
}

// Service namespace modes other than the plain ones name another service
// or container: "service:NAME" joins replica 1 of NAME, "container:ID" an
// existing container.
const (
	ServicePrefix   = "service:"
	ContainerPrefix = "container:"
)

// ModeService returns the service a namespace mode such as network_mode,
// ipc or pid joins, or "".
func ModeService(mode string) string {
	if name, ok := strings.CutPrefix(mode, ServicePrefix); ok {
		return name
	}
	return ""
}

// VolumesFrom is one volumes_from entry: the volumes of replica 1 of a
// service, or of a container, read-only or read-write.
type VolumesFrom struct {
	Service   string // set for "service" or "service:NAME"
	Container string // set for "container:NAME"
	ReadOnly  bool
}

// ParseVolumesFrom reads "NAME[:ro|:rw]", "service:NAME[:mode]" or
// "container:NAME[:mode]".
func ParseVolumesFrom(s string) (VolumesFrom, bool) {
	var v VolumesFrom
	body := s
	if rest, ok := strings.CutPrefix(body, ContainerPrefix); ok {
		body = rest
		v.Container = "?"
	} else if rest, ok := strings.CutPrefix(body, ServicePrefix); ok {
		body = rest
	}
	name, mode, hasMode := strings.Cut(body, ":")
	if hasMode {
		switch mode {
		case "ro":
			v.ReadOnly = true
		case "rw":
		default:
			return VolumesFrom{}, false
		}
	}
	if name == "" {
		return VolumesFrom{}, false
	}
	if v.Container != "" {
		v.Container = name
	} else {
		v.Service = name
	}
	return v, true
}

func (v VolumesFrom) String() string {
	s := v.Service
	if v.Container != "" {
		s = ContainerPrefix + v.Container
	}
	if v.ReadOnly {
		s += ":ro"
	}
	return s
}

// SharedServices are the services whose replica 1 the containers of s
// share a namespace (network_mode, ipc, pid, uts, cgroup "service:NAME")
// or the volumes (volumes_from) of, sorted: the containers must be
// recreated when that one is replaced.
func (s *Service) SharedServices() []string {
	var out []string
	for _, mode := range []string{s.NetworkMode, s.Ipc, s.Pid, s.Uts, s.Cgroup} {
		if name := ModeService(mode); name != "" {
			out = append(out, name)
		}
	}
	for _, v := range s.VolumesFrom {
		if v.Service != "" {
			out = append(out, v.Service)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ReferencedServices are the services s names outside depends_on: those it
// shares with (SharedServices) and those it links to. Each is an implicit
// dependency, as in compose-go.
func (s *Service) ReferencedServices() []string {
	out := s.SharedServices()
	for _, l := range s.Links {
		name, _, _ := strings.Cut(l, ":")
		out = append(out, name)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
