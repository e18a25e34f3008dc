package dockerfake

import (
	"fmt"
	"time"
)

// status is the daemon's human text for a listed container, which the
// engine reads (e.g. "Exited (0)" tells a finished job from a crash).
func (c *FakeContainer) status(now time.Time) string {
	switch c.State {
	case "created":
		return "Created"
	case "running":
		s := "Up " + humanDuration(now.Sub(c.StartedAt))
		switch c.Health {
		case "starting":
			s += " (health: starting)"
		case "healthy", "unhealthy":
			s += " (" + c.Health + ")"
		}
		return s
	case "exited":
		return fmt.Sprintf("Exited (%d) %s ago", c.ExitCode, humanDuration(now.Sub(c.FinishedAt)))
	}
	return c.State
}

// humanDuration words d as the daemon does (go-units HumanDuration).
func humanDuration(d time.Duration) string {
	switch secs := int(d.Seconds()); {
	case secs < 1:
		return "Less than a second"
	case secs == 1:
		return "1 second"
	case secs < 60:
		return fmt.Sprintf("%d seconds", secs)
	}
	switch mins := int(d.Minutes()); {
	case mins == 1:
		return "About a minute"
	case mins < 60:
		return fmt.Sprintf("%d minutes", mins)
	}
	switch hours := int(d.Hours() + 0.5); {
	case hours == 1:
		return "About an hour"
	case hours < 48:
		return fmt.Sprintf("%d hours", hours)
	default:
		return fmt.Sprintf("%d days", hours/24)
	}
}
