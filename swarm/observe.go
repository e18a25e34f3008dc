package swarm

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Services lists the services of a stack on the swarm by service key (the
// name without the "<namespace>_" prefix).
func Services(ctx context.Context, sw Swarm, namespace string) (map[string]Service, error) {
	svcs, err := sw.ServiceList(ctx, map[string]string{LabelNamespace: namespace})
	if err != nil {
		return nil, err
	}
	out := make(map[string]Service, len(svcs))
	for _, s := range svcs {
		out[strings.TrimPrefix(s.Spec.Name, namespace+"_")] = s
	}
	return out, nil
}

// Deployed reports whether the engine is a swarm manager with services of
// the stack, so the project's verbs can find a deployed stack when it has
// no containers.
func Deployed(ctx context.Context, sw Swarm, namespace string) (bool, error) {
	ok, err := sw.Manager(ctx)
	if err != nil || !ok {
		return false, err
	}
	svcs, err := Services(ctx, sw, namespace)
	return len(svcs) > 0, err
}

// selected returns the services named (all when none are), refusing a
// name the stack has no service of.
func selected(ctx context.Context, sw Swarm, namespace string, names []string) ([]string, map[string]Service, error) {
	svcs, err := Services(ctx, sw, namespace)
	if err != nil {
		return nil, nil, err
	}
	if len(names) == 0 {
		return sortedKeys(svcs), svcs, nil
	}
	for _, n := range names {
		if _, ok := svcs[n]; !ok {
			return nil, nil, fmt.Errorf("no such service on the swarm: %s (stack %s)", n, namespace)
		}
	}
	return names, svcs, nil
}

// TaskRow is one task of a deployed stack, as `docker stack ps` lists it.
type TaskRow struct {
	ID           string
	Name         string // <namespace>_<service>.<slot>, or .<node ID> for a task with no slot (global, job)
	Service      string // the service key
	Image        string
	Node         string
	DesiredState string
	CurrentState string
	Since        time.Time // when the task entered CurrentState
	Error        string
	// Replaced: an older task of the same slot, which a newer one took
	// over from (docker stack ps draws it as " \_ name").
	Replaced bool
}

// PsOptions select the tasks Ps lists.
type PsOptions struct {
	Services []string
	// All includes the tasks a newer one replaced; otherwise only those
	// meant to run or complete are listed.
	All bool
}

// Ps lists the tasks of a deployed stack, by service and slot, the newest
// task of a slot first.
func Ps(ctx context.Context, sw Swarm, namespace string, opts PsOptions) ([]TaskRow, error) {
	names, svcs, err := selected(ctx, sw, namespace, opts.Services)
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var rows []TaskRow
	for _, key := range names {
		s := svcs[key]
		tasks, err := sw.TaskList(ctx, s.ID)
		if err != nil {
			return nil, fmt.Errorf("tasks of %s: %w", key, err)
		}
		// Tasks are grouped as `docker stack ps` names them: by slot, or
		// by node for a global service; a job's tasks have no slot and
		// each stands alone.
		global := s.Spec.Mode == ModeGlobal || s.Spec.Mode == ModeGlobalJob
		slotOf := func(t Task) string {
			switch {
			case t.Slot != 0:
				return strconv.Itoa(t.Slot)
			case global:
				return t.NodeID
			}
			return t.ID
		}
		nameOf := func(t Task) string {
			if t.Slot != 0 {
				return s.Spec.Name + "." + strconv.Itoa(t.Slot)
			}
			return s.Spec.Name + "." + t.NodeID
		}
		sort.SliceStable(tasks, func(i, j int) bool {
			a, b := tasks[i], tasks[j]
			if slotOf(a) != slotOf(b) {
				if a.Slot != b.Slot {
					return a.Slot < b.Slot
				}
				return slotOf(a) < slotOf(b)
			}
			return a.Created.After(b.Created)
		})
		seen := map[string]bool{}
		for _, t := range tasks {
			slot := slotOf(t)
			replaced := seen[slot]
			seen[slot] = true
			if !opts.All && (replaced || t.DesiredState == TaskShutdown) {
				continue
			}
			node := t.Node
			if node == "" {
				node = t.NodeID
			}
			rows = append(rows, TaskRow{
				ID: t.ID, Name: nameOf(t), Service: key, Image: t.Image, Node: node,
				DesiredState: t.DesiredState, CurrentState: t.State, Since: t.Since, Error: t.Err, Replaced: replaced,
			})
		}
	}
	return rows, nil
}

// ServiceLogLine is a line a task of a deployed stack logged.
type ServiceLogLine struct {
	Service string // the service key
	Slot    int    // the task's slot; 0 for a task of a global service
	LogLine
}

// Logs calls each for the log lines of the stack's services' tasks (the
// services named, or all) until they end or, with Follow, ctx ends. Calls
// of each do not overlap.
func Logs(ctx context.Context, sw Swarm, namespace string, services []string, opts LogOptions, each func(ServiceLogLine)) error {
	names, svcs, err := selected(ctx, sw, namespace, services)
	if err != nil {
		return err
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs = make([]error, len(names))
	)
	for i, key := range names {
		s := svcs[key]
		slots := map[string]int{}
		slotOf := func(id string) int {
			if n, ok := slots[id]; ok {
				return n
			}
			// A task the last listing did not have: a new one.
			if tasks, err := sw.TaskList(ctx, s.ID); err == nil {
				for _, t := range tasks {
					slots[t.ID] = t.Slot
				}
			}
			return slots[id]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = sw.ServiceLogs(ctx, s.ID, opts, func(l LogLine) {
				mu.Lock()
				defer mu.Unlock()
				each(ServiceLogLine{Service: key, Slot: slotOf(l.TaskID), LogLine: l})
			})
			if errs[i] != nil {
				errs[i] = fmt.Errorf("logs of %s: %w", key, errs[i])
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// ScaleOptions tune Scale.
type ScaleOptions struct {
	// Wait waits until the services have their new replicas running.
	Wait        bool
	WaitTimeout time.Duration
	Poll        time.Duration
}

// Scale sets the replicas of services of a deployed stack. A global
// service or a job has no replica count to set. The spec hash label is
// updated with it, so the next deploy sees the difference from the file
// and sets the file's count again.
func Scale(ctx context.Context, sw Swarm, namespace string, replicas map[string]uint64, opts ScaleOptions) error {
	keys := sortedKeys(replicas)
	_, svcs, err := selected(ctx, sw, namespace, keys)
	if err != nil {
		return err
	}
	for _, key := range keys {
		if m := svcs[key].Spec.Mode; m != ModeReplicated {
			return fmt.Errorf("scale %s: a %s service has no replica count", key, m)
		}
	}
	for _, key := range keys {
		s := svcs[key]
		n := replicas[key]
		spec := s.Spec
		spec.Replicas = &n
		spec.Labels = copyWithout(spec.Labels, "")
		if spec.Labels[LabelSpecHash] != "" {
			spec.Labels[LabelSpecHash] = Hash(spec)
		}
		if err := sw.ServiceUpdate(ctx, s.ID, s.Version, spec); err != nil {
			return fmt.Errorf("scale %s: %w", key, err)
		}
	}
	if !opts.Wait {
		return nil
	}
	for _, key := range keys {
		s := svcs[key]
		spec := s.Spec
		n := replicas[key]
		spec.Replicas = &n
		if err := waitService(ctx, sw, key, s.ID, spec, time.Time{}, DeployOptions{WaitTimeout: opts.WaitTimeout, Poll: opts.Poll}); err != nil {
			return err
		}
	}
	return nil
}
