package spec

import (
	"fmt"
	"strings"
	"time"

	str2duration "github.com/xhit/go-str2duration/v2"
)

// Time-based pull policies: refresh pulls an image older than
// pull_refresh_after (every time without it, as in Compose), daily and
// weekly one older than a day or a week, every_<duration> ("every_12h",
// "every_2d") one older than that.
const (
	PullRefresh = "refresh"
	pullDaily   = "daily"
	pullWeekly  = "weekly"
	pullEvery   = "every_"
)

// RefreshInterval returns how old the local image of s may be before it is
// pulled again, and whether s has a time-based pull policy at all.
func (s *Service) RefreshInterval() (time.Duration, bool, error) {
	switch p := s.PullPolicy; {
	case p == PullRefresh:
		return s.PullRefreshAfter, true, nil
	case p == pullDaily:
		return 24 * time.Hour, true, nil
	case p == pullWeekly:
		return 7 * 24 * time.Hour, true, nil
	case strings.HasPrefix(p, pullEvery):
		d, err := str2duration.ParseDuration(strings.TrimPrefix(p, pullEvery))
		if err != nil || d <= 0 {
			return 0, true, fmt.Errorf("pull_policy %q: %q is not a duration such as 12h or 2d", p, strings.TrimPrefix(p, pullEvery))
		}
		return d, true, nil
	}
	return 0, false, nil
}
