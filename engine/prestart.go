package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stack-dev/stack/spec"
)

// pre_start hooks, as Docker Compose runs them: once per service (not per
// replica), in order, before its containers start, and only when none of
// them is running (the first up, a recreate of all replicas, a start after
// stop). Each is a container of the hook's image (the service's by
// default) with the service's environment extended by the hook's, its
// user, working_dir and privileged, on the service's networks and with the
// service's named volumes and bind mounts, so it can prepare the data the
// service starts on. A hook that exits non-zero keeps the service from
// starting; its container is kept for inspection and removed by the next
// run or by down. A hook that succeeds is removed.
//
// Compose shares the first replica's volumes with VolumesFrom, which also
// gives the hook that replica's anonymous volumes; stack mounts the
// service's named volumes and binds, not anonymous volumes, since the
// hook runs before the replica is created. A hook image of its own that is
// missing is pulled.

const preStartHookType = "pre_start"

// needsPreStart reports whether the plan of a service with pre_start hooks
// starts its containers while none of them stays running.
func needsPreStart(s *spec.Service, sp *ServicePlan) bool {
	if len(s.PreStart) == 0 {
		return false
	}
	starts := false
	for _, a := range sp.Actions {
		switch a.Kind {
		case ActCreate, ActRecreate, ActStart:
			starts = true
		case ActKeep:
			if a.Existing != nil && a.Existing.Running() {
				return false
			}
		case ActRename, ActRestart:
			return false
		}
	}
	return starts
}

// preStart runs the service's pre_start hooks when its plan needs them.
func (x *executor) preStart(ctx context.Context, s *spec.Service, sp *ServicePlan) error {
	if !needsPreStart(s, sp) {
		return nil
	}
	var base ContainerSpec
	for _, a := range sp.Actions {
		if a.Kind != ActRemove {
			base = a.Spec
			break
		}
	}
	if err := x.e.removePreStartContainers(ctx, x.p.Name, s.Name); err != nil {
		return err
	}
	for i, h := range s.PreStart {
		if err := x.e.runPreStart(ctx, x.p, s, base, i, h); err != nil {
			for _, a := range sp.Actions {
				if a.Kind != ActRemove {
					x.e.emit(Status{Object: a.Name, Service: s.Name, Phase: PhaseError, Detail: "not started: pre_start hook failed", Done: true})
				}
			}
			x.discardPrecreated(sp)
			return err
		}
	}
	return nil
}

// preStartSpec is the container of hook i of service s.
func preStartSpec(p *spec.Project, s *spec.Service, base ContainerSpec, i int, h spec.PreStartHook) ContainerSpec {
	labels := map[string]string{}
	for k, v := range s.Labels {
		labels[k] = v
	}
	for k, v := range projectLabels(p) {
		labels[k] = v
	}
	labels[LabelService] = s.Name
	labels[LabelHook] = preStartHookType
	env := map[string]string{}
	for k, v := range s.Environment {
		env[k] = v
	}
	for k, v := range h.Environment {
		env[k] = v
	}
	cs := ContainerSpec{
		Name:       fmt.Sprintf("%s-%s-pre_start-%d", p.Name, s.Name, i),
		Image:      h.Image,
		Cmd:        h.Command,
		Env:        append(envList(env), unsetIn(s.UnsetEnv, h.Environment)...),
		Labels:     labels,
		User:       h.User,
		WorkingDir: h.WorkingDir,
		Privileged: h.Privileged,
		Platform:   base.Platform,
	}
	if cs.Image == "" {
		cs.Image = base.Image
	}
	for _, m := range base.Mounts {
		if (m.Type == spec.MountVolume || m.Type == spec.MountBind) && m.Source != "" {
			cs.Mounts = append(cs.Mounts, m)
		}
	}
	for _, n := range base.Networks {
		cs.Networks = append(cs.Networks, NetworkAttachment{Network: n.Network})
	}
	return cs
}

// unsetIn are the service's unset variables the hook does not set.
func unsetIn(unset []string, set map[string]string) []string {
	var out []string
	for _, k := range unset {
		if _, ok := set[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

// runPreStart runs one hook container to completion.
func (e *Engine) runPreStart(ctx context.Context, p *spec.Project, s *spec.Service, base ContainerSpec, i int, h spec.PreStartHook) error {
	cs := preStartSpec(p, s, base, i, h)
	st := Status{Object: cs.Name, Service: s.Name, Phase: PhasePreStart}
	report := func(phase, detail string, done bool, err error) {
		st.Phase, st.Detail, st.Done, st.Err = phase, detail, done, err
		e.emit(st)
	}
	report(PhasePreStart, "running "+strings.Join(h.Command, " "), false, nil)
	fail := func(err error) error {
		err = fmt.Errorf("service %q pre_start[%d]: %w", s.Name, i, err)
		report(PhaseError, err.Error(), true, err)
		return err
	}
	id, err := e.docker.ContainerCreate(ctx, cs)
	if errors.Is(err, ErrNotFound) && h.Image != "" {
		// A hook image of its own is pulled when missing, as Compose
		// pulls pre_start images with the service's.
		if _, ierr := e.docker.ImageInspect(ctx, h.Image); errors.Is(ierr, ErrNotFound) {
			if perr := e.pullImage(ctx, h.Image, []string{s.Name}, true); perr != nil {
				return fail(perr)
			}
			id, err = e.docker.ContainerCreate(ctx, cs)
		}
	}
	if err != nil {
		return fail(fmt.Errorf("create %s: %w", cs.Name, err))
	}
	out := newHookOutput(func(line string) { report(PhasePreStart, line, false, nil) })
	wait, err := e.docker.ContainerAttach(ctx, id, AttachOptions{Streams: Streams{Stdout: out.stdout, Stderr: out.stderr}})
	if err != nil {
		_ = e.docker.ContainerRemove(ctx, id, true)
		return fail(fmt.Errorf("attach to %s: %w", cs.Name, err))
	}
	if err := e.docker.ContainerStart(ctx, id); err != nil {
		_ = e.docker.ContainerRemove(ctx, id, true)
		return fail(fmt.Errorf("start %s: %w", cs.Name, err))
	}
	waitErr := wait()
	out.flush()
	code, err := e.docker.ContainerWait(ctx, id)
	if err == nil && waitErr != nil && ctx.Err() != nil {
		err = waitErr
	}
	if err != nil {
		if ctx.Err() != nil {
			// Cancelled by the user: not the hook's failure.
			rmCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			_ = e.docker.ContainerRemove(rmCtx, id, true)
			return ctx.Err()
		}
		return fail(fmt.Errorf("wait for %s: %w", cs.Name, err))
	}
	if code != 0 {
		msg := fmt.Sprintf("exited with code %d", code)
		if tail := out.tail(); tail != "" {
			msg += ": " + tail
		}
		return fail(fmt.Errorf("%s (hook container %s kept for inspection)", msg, cs.Name))
	}
	if err := e.docker.ContainerRemove(ctx, id, true); err != nil && !errors.Is(err, ErrNotFound) {
		e.emit(Status{Object: cs.Name, Service: s.Name, Phase: PhaseWarning, Detail: "hook container not removed: " + err.Error()})
	}
	report(PhaseExited, "completed", true, nil)
	return nil
}

// removePreStartContainers removes the hook containers a failed run of
// service's pre_start hooks kept ("" service: all of the project's).
func (e *Engine) removePreStartContainers(ctx context.Context, project, service string) error {
	filter := Labels{LabelProject: project, LabelHook: preStartHookType}
	if service != "" {
		filter[LabelService] = service
	}
	list, err := e.docker.ContainerList(ctx, filter)
	if err != nil {
		return fmt.Errorf("list pre_start hook containers: %w", err)
	}
	for _, c := range list {
		if err := e.docker.ContainerRemove(ctx, c.ID, true); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("remove hook container %s: %w", c.Name, err)
		}
	}
	return nil
}
