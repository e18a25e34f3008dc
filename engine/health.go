package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/stack-dev/stack/spec"
)

// waitHealthy waits until container id of service s is healthy. Docker
// reports health only every interval, and engines before API 1.44 ignore
// start_interval; so while the container is in its start period stack probes
// readiness itself, running the healthcheck test by exec every
// start_interval, and counts the first success as healthy.
func (e *Engine) waitHealthy(ctx context.Context, w *watcher, s *spec.Service, id string) error {
	hc := s.Healthcheck
	if hc == nil || hc.Disable || len(hc.Test) == 0 || hc.Test[0] == "NONE" {
		// The image may still define one; let the daemon's state decide.
		cs, err := e.docker.ContainerInspect(ctx, id)
		if err != nil {
			return err
		}
		if cs.Health == "" {
			return fmt.Errorf("container %s has no healthcheck", cs.Name)
		}
	}
	if hc != nil && hc.StartInterval > 0 && !hc.Disable {
		probeCtx, stop := context.WithCancel(ctx)
		defer stop()
		go e.probeReadiness(probeCtx, w, s, id)
	}
	return w.wait(ctx, id, healthy)
}

func healthy(st watchState) error {
	switch {
	case st.Health == "healthy" || st.Ready:
		return nil
	case st.Health == "unhealthy":
		return errors.New("container is unhealthy")
	case st.Exited:
		return fmt.Errorf("exited with code %d before it was healthy", st.ExitCode)
	}
	return errStillWaiting
}

// probeReadiness runs the healthcheck test every start_interval during the
// start period (at least until the first daemon check would run) and marks
// the container ready on the first success.
func (e *Engine) probeReadiness(ctx context.Context, w *watcher, s *spec.Service, id string) {
	hc := s.Healthcheck
	cmd, ok := execCommand(hc.Test)
	if !ok {
		return
	}
	window := hc.StartPeriod
	if interval := hc.Interval; window < interval {
		window = interval
	}
	if window <= 0 {
		window = 30 * time.Second // Docker's default interval
	}
	e.log.Debug("probing readiness by exec at start_interval (API 1.41 ignores start_interval)",
		zap.String("service", s.Name), zap.String("container", shortID(id)),
		zap.Duration("start_interval", hc.StartInterval), zap.Duration("window", window))
	deadline := time.Now().Add(window)
	tick := time.NewTicker(hc.StartInterval)
	defer tick.Stop()
	for time.Now().Before(deadline) {
		if e.probe(ctx, hc, cmd, id) == nil {
			e.log.Debug("readiness probe passed", zap.String("service", s.Name), zap.String("container", shortID(id)))
			w.markReady(id)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// probe runs the readiness probe once: the healthcheck test by exec,
// within its timeout. nil is a pass.
func (e *Engine) probe(ctx context.Context, hc *spec.Healthcheck, cmd []string, id string) error {
	if hc.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, hc.Timeout)
		defer cancel()
	}
	res, err := e.docker.Exec(ctx, id, cmd)
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("exit code %d", res.ExitCode)
	}
	return nil
}

// ErrNoProbe is ProbeReady's answer for a service without a healthcheck
// test stack can run.
var ErrNoProbe = errors.New("no readiness probe: no healthcheck test to run")

// ProbeReady runs stack's own readiness probe of service s once in its
// container id, as up --wait does during the start period (see
// waitHealthy): the healthcheck test by exec, within its timeout. nil is a
// pass; ErrNoProbe says s has no test to run.
func (e *Engine) ProbeReady(ctx context.Context, s *spec.Service, id string) error {
	hc := s.Healthcheck
	if hc == nil || hc.Disable {
		return ErrNoProbe
	}
	cmd, ok := execCommand(hc.Test)
	if !ok {
		return ErrNoProbe
	}
	return e.probe(ctx, hc, cmd, id)
}

// execCommand turns a healthcheck test into an exec command line.
func execCommand(test []string) ([]string, bool) {
	if len(test) < 2 {
		return nil, false
	}
	switch test[0] {
	case "CMD":
		return test[1:], true
	case "CMD-SHELL":
		return []string{"/bin/sh", "-c", strings.Join(test[1:], " ")}, true
	}
	return nil, false
}
