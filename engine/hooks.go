package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/stack-dev/stack/spec"
)

// Lifecycle hooks, as Docker Compose runs them:
//
//   - post_start hooks are exec'd in a container, in order, right after it
//     starts (up, start, restart, a recreate). A hook that exits non-zero
//     fails that container's start: the container keeps running, the error
//     names the hook and its last output, and dependents are not started.
//   - pre_stop hooks are exec'd, in order, right before a container is
//     stopped (stop, down, restart, a recreate or scale-down). A failing
//     hook fails the stop and the container is left running, as in Compose;
//     a container that is not running any more skips its hooks. `kill`
//     runs none.
//   - pre_start hooks are containers run to completion, in order, before the
//     service's containers start while none of them runs (see prestart.go).
//
// The hooks a container was created with are kept in its labels, so stop and
// down run them with no stack file, and a changed hook changes the config
// hash and recreates the container, as Compose's service hash does.
const (
	// LabelPostStart and LabelPreStop hold a container's hooks as JSON.
	LabelPostStart = "dev.stack.post-start"
	LabelPreStop   = "dev.stack.pre-stop"
	// LabelPreStart holds the service's pre_start hooks, so that changing
	// them recreates the containers (and so runs them again), as in Compose.
	LabelPreStart = "dev.stack.pre-start"
	// LabelAttach is "false" on containers of services with attach: false.
	LabelAttach = "dev.stack.attach"
	// LabelHook marks a pre_start hook container (Compose's label).
	LabelHook = "com.docker.compose.hook"
)

// Phases of hook progress: the lines a hook prints are reported under them.
const (
	PhasePostStart = "post_start"
	PhasePreStop   = "pre_stop"
	PhasePreStart  = "pre_start"
)

// hookOutputTail is how many lines of a failing hook's output its error
// carries.
const hookOutputTail = 10

// hookSpec adds what the keys of issue 9 that this file covers change in a
// service's container: hook and attach labels, and the variables
// environment unsets ("VAR" without "=" removes the image's VAR, which is
// what Compose sends).
func hookSpec(s *spec.Service, cs *ContainerSpec) {
	hookLabels(s, cs.Labels)
	cs.Env = append(cs.Env, s.UnsetEnv...)
}

// hookLabels records the service's hooks and attach setting on its
// containers.
func hookLabels(s *spec.Service, labels map[string]string) {
	if len(s.PostStart) > 0 {
		labels[LabelPostStart] = encodeHooks(s.PostStart)
	}
	if len(s.PreStop) > 0 {
		labels[LabelPreStop] = encodeHooks(s.PreStop)
	}
	if len(s.PreStart) > 0 {
		b, err := json.Marshal(s.PreStart)
		if err != nil {
			panic("encode hooks: " + err.Error())
		}
		labels[LabelPreStart] = string(b)
	}
	if !s.Attached() {
		labels[LabelAttach] = "false"
	}
}

func encodeHooks(hooks []spec.Hook) string {
	b, err := json.Marshal(hooks)
	if err != nil {
		panic("encode hooks: " + err.Error()) // plain data cannot fail to encode
	}
	return string(b)
}

// containerHooks reads the hooks of one kind from a container's labels.
func containerHooks(labels map[string]string, label string) ([]spec.Hook, error) {
	v := labels[label]
	if v == "" {
		return nil, nil
	}
	var hooks []spec.Hook
	if err := json.Unmarshal([]byte(v), &hooks); err != nil {
		return nil, fmt.Errorf("read label %s: %w", label, err)
	}
	return hooks, nil
}

// hookTarget is the container a hook runs in.
type hookTarget struct {
	ID, Name, Service string
	Labels            map[string]string
}

func observedTarget(c ObservedContainer) hookTarget {
	return hookTarget{ID: c.ID, Name: c.Name, Service: c.Service, Labels: c.Labels}
}

// postStart runs a started container's post_start hooks.
func (e *Engine) postStart(ctx context.Context, t hookTarget) error {
	return e.runHooks(ctx, t, LabelPostStart, PhasePostStart)
}

// preStop runs a container's pre_stop hooks before it is stopped.
func (e *Engine) preStop(ctx context.Context, t hookTarget) error {
	err := e.runHooks(ctx, t, LabelPreStop, PhasePreStop)
	switch {
	case errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict):
		// Gone or no longer running: nothing to run the hook in, and
		// nothing left to stop gracefully.
		return nil
	case err != nil:
		return fmt.Errorf("%w\nhint: the container keeps running; fix the hook, or stop it without hooks with `docker kill %s`", err, t.Name)
	}
	return nil
}

func (e *Engine) runHooks(ctx context.Context, t hookTarget, label, phase string) error {
	hooks, err := containerHooks(t.Labels, label)
	if err != nil {
		return fmt.Errorf("%s: %w", t.Name, err)
	}
	for i, h := range hooks {
		if err := e.runHook(ctx, t, h, phase, i); err != nil {
			return err
		}
	}
	return nil
}

// runHook execs one hook, reporting each line it prints as progress of the
// container, and fails with its last lines when it exits non-zero.
func (e *Engine) runHook(ctx context.Context, t hookTarget, h spec.Hook, phase string, index int) error {
	out := newHookOutput(func(line string) {
		e.emit(Status{Object: t.Name, Service: t.Service, Phase: phase, Detail: line})
	})
	e.emit(Status{Object: t.Name, Service: t.Service, Phase: phase, Detail: "running " + strings.Join(h.Command, " ")})
	code, err := e.docker.ExecAttach(ctx, t.ID, ExecOptions{
		Cmd:        h.Command,
		User:       h.User,
		WorkingDir: h.WorkingDir,
		Env:        envList(h.Environment),
		Privileged: h.Privileged,
		Streams:    Streams{Stdout: out.stdout, Stderr: out.stderr},
	})
	out.flush()
	if err != nil {
		return fmt.Errorf("%s: %s[%d] hook: %w", t.Name, phase, index, err)
	}
	if code != 0 {
		err := fmt.Errorf("%s: %s[%d] hook exited with status %d", t.Name, phase, index, code)
		if tail := out.tail(); tail != "" {
			err = fmt.Errorf("%w: %s", err, tail)
		}
		return err
	}
	return nil
}

// hookOutput splits a hook's stdout and stderr into lines, reports each,
// and keeps the last ones of each stream; a failure shows stderr's, which
// usually say why, else stdout's.
type hookOutput struct {
	mu             sync.Mutex
	report         func(string)
	stdout, stderr *lineWriter
	lastOut        []string
	lastErr        []string
}

func newHookOutput(report func(string)) *hookOutput {
	o := &hookOutput{report: report}
	keep := func(last *[]string) func(string) {
		return func(line string) {
			line = strings.TrimRight(line, "\r")
			if strings.TrimSpace(line) == "" {
				return
			}
			o.mu.Lock()
			defer o.mu.Unlock()
			*last = append(*last, line)
			if len(*last) > hookOutputTail {
				*last = (*last)[1:]
			}
			o.report(line)
		}
	}
	o.stdout = &lineWriter{emit: keep(&o.lastOut)}
	o.stderr = &lineWriter{emit: keep(&o.lastErr)}
	return o
}

func (o *hookOutput) flush() {
	o.stdout.flush()
	o.stderr.flush()
}

func (o *hookOutput) tail() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.lastErr) > 0 {
		return strings.Join(o.lastErr, "\n")
	}
	return strings.Join(o.lastOut, "\n")
}

// postStartOf runs the post_start hooks of a started one-off, read from its
// labels. A one-off that ended before its hooks could run skips them.
func (e *Engine) postStartOf(ctx context.Context, id string) error {
	cs, err := e.docker.ContainerInspect(ctx, id)
	if err != nil {
		return nil // gone already: nothing to run the hooks in
	}
	if cs.Labels[LabelPostStart] == "" {
		return nil
	}
	err = e.postStart(ctx, hookTarget{ID: id, Name: cs.Name, Service: cs.Labels[LabelService], Labels: cs.Labels})
	if errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}
