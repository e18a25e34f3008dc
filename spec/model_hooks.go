package spec

import "fmt"

// Hook is a command exec'd in each of a service's containers at a lifecycle
// event: post_start right after the container starts, pre_stop right before
// it is stopped (by stop, down, or a recreate). A hook that exits non-zero
// fails the operation, as in Docker Compose.
type Hook struct {
	Command     []string
	User        string
	Privileged  bool
	WorkingDir  string
	Environment map[string]string // added to the container's
}

// PreStartHook is a container run to completion before a service's
// containers start, when none of them runs yet. It shares the volumes of
// the service's first replica and sits on its networks; its image defaults
// to the service's, its environment extends the service's.
type PreStartHook struct {
	Hook
	Image string // "" means the service's image
	// PerReplica runs the hook once per replica. Docker Compose refuses it
	// (not supported yet); so does stack.
	PerReplica bool
}

// Provider says which binary runs a provider service and with which
// options: `<type> compose --project-name P up --key=value... SERVICE`.
type Provider struct {
	Type    string
	Options map[string][]string // a key may be given several values
}

// Attached reports whether attached `up` and `logs -f` without service
// names follow the service (attach, default true).
func (s *Service) Attached() bool {
	return s.Attach == nil || *s.Attach
}

// hooks checks hooks and providers: Compose refuses per_replica pre_start
// hooks and a provider named compose, and a hook needs a command.
func (v *validator) hooks(s *Service) {
	for i, h := range s.PreStart {
		key := fmt.Sprintf("pre_start[%d]", i)
		if h.PerReplica {
			v.add(s, key+".per_replica", "service %q pre_start[%d]: per_replica is not supported (Docker Compose runs pre_start once per service too); remove per_replica or set it to false", s.Name, i)
		}
		if len(h.Command) == 0 {
			v.add(s, key, "service %q pre_start[%d]: command is required", s.Name, i)
		}
	}
	for _, hs := range []struct {
		what  string
		hooks []Hook
	}{{"post_start", s.PostStart}, {"pre_stop", s.PreStop}} {
		what := hs.what
		for i, h := range hs.hooks {
			if len(h.Command) == 0 {
				v.add(s, fmt.Sprintf("%s[%d]", what, i), "service %q %s[%d]: command is required", s.Name, what, i)
			}
		}
	}
	if pr := s.Provider; pr != nil {
		switch {
		case pr.Type == "":
			v.add(s, "provider", "service %q: provider needs a type (the binary that runs the service)", s.Name)
		case pr.Type == "compose":
			v.add(s, "provider.type", "service %q: 'compose' is not a valid provider type", s.Name)
		}
		if len(s.PreStart)+len(s.PostStart)+len(s.PreStop) > 0 {
			v.add(s, "provider", "service %q: a provider service has no containers to run hooks in", s.Name)
		}
	}
}
