package spec

// Develop is a service's dev loop (compose develop, HCL develop {}): what
// `stack watch` does when files change.
type Develop struct {
	Watch []WatchRule
}

// Watch actions, as in the compose spec.
const (
	WatchSync        = "sync"
	WatchRebuild     = "rebuild"
	WatchRestart     = "restart"
	WatchSyncRestart = "sync+restart"
	WatchSyncExec    = "sync+exec"
)

// WatchRule is one develop.watch entry. Path is absolute once loaded;
// Target is a path in the container (sync actions). Ignore and Include are
// .dockerignore-style patterns relative to Path.
type WatchRule struct {
	Action      string
	Path        string
	Target      string     `json:",omitempty"`
	Ignore      []string   `json:",omitempty"`
	Include     []string   `json:",omitempty"`
	InitialSync bool       `json:",omitempty"`
	Exec        *WatchExec `json:",omitempty"`
}

// Syncs tells whether the rule copies files into the containers.
func (r WatchRule) Syncs() bool {
	return r.Action == WatchSync || r.Action == WatchSyncRestart || r.Action == WatchSyncExec
}

// WatchExec is the command a sync+exec rule runs in each container after a
// sync.
type WatchExec struct {
	Command     []string
	User        string            `json:",omitempty"`
	WorkingDir  string            `json:",omitempty"`
	Privileged  bool              `json:",omitempty"`
	Environment map[string]string `json:",omitempty"`
}
