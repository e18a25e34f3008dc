package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
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
	if !validSignal(signal) {
		return 0, fmt.Errorf("signal %q: want a signal name such as SIGTERM or HUP, or a number from 1 to 64", opts.Signal)
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

// signalNames are the Linux signals the daemon knows by name.
var signalNames = map[string]bool{
	"ABRT": true, "ALRM": true, "BUS": true, "CHLD": true, "CLD": true, "CONT": true, "FPE": true, "HUP": true,
	"ILL": true, "INT": true, "IO": true, "IOT": true, "KILL": true, "PIPE": true, "POLL": true, "PROF": true,
	"PWR": true, "QUIT": true, "SEGV": true, "STKFLT": true, "STOP": true, "SYS": true, "TERM": true, "TRAP": true,
	"TSTP": true, "TTIN": true, "TTOU": true, "URG": true, "USR1": true, "USR2": true, "VTALRM": true,
	"WINCH": true, "XCPU": true, "XFSZ": true,
}

// validSignal tells a signal the daemon takes from a typo: a name (with or
// without SIG, any case, RTMIN+n too) or a number.
func validSignal(s string) bool {
	if n, err := strconv.Atoi(s); err == nil {
		return n >= 1 && n <= 64
	}
	name := strings.ToUpper(trimSig(s))
	if strings.HasPrefix(name, "RTMIN") || strings.HasPrefix(name, "RTMAX") {
		return true
	}
	return signalNames[name]
}
