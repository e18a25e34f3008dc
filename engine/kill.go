package engine

import (
	"context"
	"errors"
	"fmt"
)

// KillOptions tune `kill`.
type KillOptions struct {
	Services []string
	// Signal is sent to each running container; "" is SIGKILL.
	Signal string
}

// Kill sends a signal to the project's running containers, all at once as
// Compose does, and returns how many it signalled.
func (e *Engine) Kill(ctx context.Context, project string, opts KillOptions) (int, error) {
	obs, err := e.observe(ctx, project)
	if err != nil {
		return 0, err
	}
	signal := opts.Signal
	if signal == "" {
		signal = "KILL"
	}
	running := filterContainers(obs.Containers, opts.Services, ObservedContainer.Running)
	return len(running), e.inParallel(ctx, running, func(_ int, c ObservedContainer) error {
		st := Status{Object: c.Name, Service: c.Service, Phase: "killing", Detail: "SIG" + trimSig(signal)}
		e.emit(st)
		err := e.docker.ContainerKill(ctx, c.ID, signal)
		// Not found or not running: it ended meanwhile.
		if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrConflict) {
			return fmt.Errorf("kill %s: %w", c.Name, err)
		}
		st.Phase, st.Done = "killed", true
		e.emit(st)
		return nil
	})
}

func trimSig(s string) string {
	if len(s) > 3 && (s[:3] == "SIG" || s[:3] == "sig") {
		return s[3:]
	}
	return s
}
