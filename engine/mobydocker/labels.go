package mobydocker

import (
	"strconv"

	"github.com/moby/moby/client"

	"github.com/stack-dev/stack/engine"
)

// labelFilters turns engine label filters into the daemon's "label" filter:
// "key=value", or just "key" when any value matches.
func labelFilters(labels engine.Labels) client.Filters {
	f := client.Filters{}
	for k, v := range labels {
		if v == "" {
			f.Add("label", k)
		} else {
			f.Add("label", k+"="+v)
		}
	}
	return f
}

// matchLabels reports whether have satisfies the filter want.
func matchLabels(want engine.Labels, have map[string]string) bool {
	for k, v := range want {
		got, ok := have[k]
		if !ok || (v != "" && got != v) {
			return false
		}
	}
	return true
}

func itoa(n uint16) string { return strconv.Itoa(int(n)) }
