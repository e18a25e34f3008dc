package lint

import (
	"fmt"

	"github.com/stack-dev/stack/spec"
)

// RulePrivilegedHook flags lifecycle hooks that run privileged: a
// post_start or pre_stop exec with every capability and the host's devices
// inside a container that is not itself privileged, or a pre_start
// container run so.
const RulePrivilegedHook = "privileged-hook"

func init() {
	rules = append(rules, Rule{RulePrivilegedHook, "a post_start, pre_stop or pre_start hook that runs privileged", checkPrivilegedHooks})
}

func checkPrivilegedHooks(c *checker, s *spec.Service) []Finding {
	const fix = "remove privileged from the hook; give the service only the capabilities the hook needs with cap_add"
	var out []Finding
	add := func(kind string, i int, h spec.Hook) {
		if !h.Privileged {
			return
		}
		key := fmt.Sprintf("%s[%d].privileged", kind, i)
		out = append(out, c.finding(s, RulePrivilegedHook, key,
			fmt.Sprintf("%s hook %d runs privileged: %s gets every capability and the host's devices", kind, i, what(kind)),
			fix, key, fmt.Sprintf("%s[%d]", kind, i), kind))
	}
	for i, h := range s.PreStart {
		add("pre_start", i, h.Hook)
	}
	for i, h := range s.PostStart {
		add("post_start", i, h)
	}
	for i, h := range s.PreStop {
		add("pre_stop", i, h)
	}
	return out
}

func what(kind string) string {
	if kind == "pre_start" {
		return "the hook container"
	}
	return "its command"
}
