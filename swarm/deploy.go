package swarm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/stack-dev/stack/spec"
)

// DeployOptions tune a deploy.
type DeployOptions struct {
	// Services limits the deploy to these services (their dependencies
	// are expected to be deployed already); empty: all.
	Services []string
	// Wait waits until every deployed service has its replicas running
	// (healthy where it has a healthcheck) or its job complete.
	Wait        bool
	WaitTimeout time.Duration // 0: no limit
	// Prune removes services of the stack that the file no longer has.
	Prune bool
	// DryRun reports what deploy would do and changes nothing.
	DryRun bool
	// Out receives one line per action; nil: discarded.
	Out io.Writer
	// Poll is how often task states are read; 0: 250ms.
	Poll time.Duration
	// Built says the caller built the images (deploy --build), so the
	// build keys need no note.
	Built bool
}

// Result says what a deploy did.
type Result struct {
	Created, Updated, Unchanged, Removed []string // service keys (Removed: swarm names)
	Notes                                []Note
}

// NotesError is a deploy refused before anything was created.
type NotesError struct{ Notes []Note }

func (e *NotesError) Error() string {
	var b strings.Builder
	b.WriteString("the stack has keys a swarm cannot honour:")
	for _, n := range e.Notes {
		b.WriteString("\n  " + n.String())
	}
	return b.String()
}

// Check converts the project as Deploy does and refuses what Deploy
// would, before anything is created: keys a swarm cannot honour (a
// *NotesError) and services the project does not have.
func Check(p *spec.Project, services []string) (*Desired, error) {
	d, err := Convert(p)
	if err != nil {
		return nil, err
	}
	var refused []Note
	for _, n := range d.Notes {
		if n.Refused {
			refused = append(refused, n)
		}
	}
	if len(refused) > 0 {
		return d, &NotesError{Notes: refused}
	}
	for _, n := range services {
		if _, ok := d.Services[n]; !ok {
			return d, fmt.Errorf("no such service: %s", n)
		}
	}
	return d, nil
}

// NeedManager returns ErrNotManager, with the hint to make the engine one,
// unless the engine is a manager of an active swarm.
func NeedManager(ctx context.Context, sw Swarm) error {
	ok, err := sw.Manager(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w\nhint: make it one with `docker swarm init`", ErrNotManager)
	}
	return nil
}

// Deploy creates or updates the project's stack on the swarm: networks,
// then secrets and configs, then services in dependency order, waiting
// for a dependency's tasks to be healthy or complete where a dependent's
// depends_on asks for it.
func Deploy(ctx context.Context, sw Swarm, p *spec.Project, opts DeployOptions) (*Result, error) {
	out := opts.Out
	if out == nil {
		out = io.Discard
	}
	d, err := Check(p, opts.Services)
	if d == nil {
		return nil, err
	}
	if opts.Built {
		d.Notes = slices.DeleteFunc(d.Notes, func(n Note) bool { return strings.HasSuffix(n.Path, ".build") && !n.Refused })
	}
	res := &Result{Notes: d.Notes}
	if err != nil {
		var refused *NotesError
		if opts.DryRun && errors.As(err, &refused) {
			// A dry run lists every key in one pass: what deploy would do
			// about the others here, the refused ones in the error.
			for _, n := range d.Notes {
				if !n.Refused {
					fmt.Fprintln(out, n.String())
				}
			}
		}
		return res, err
	}
	if opts.DryRun {
		for _, n := range d.Notes {
			fmt.Fprintln(out, n.String())
		}
		// A dry run needs no swarm, but says the real one would fail.
		if ok, err := sw.Manager(ctx); err == nil && !ok {
			fmt.Fprintln(out, "note: the engine is not a swarm manager, so a deploy would fail: make it one with `docker swarm init`")
		}
	}
	if !opts.DryRun {
		if err := NeedManager(ctx, sw); err != nil {
			return res, err
		}
	}
	ns := map[string]string{LabelNamespace: d.Namespace}
	existing, err := sw.ServiceList(ctx, ns)
	if err != nil && !opts.DryRun {
		return res, err
	}
	byName := map[string]Service{}
	for _, s := range existing {
		byName[s.Spec.Name] = s
	}

	if err := ensureNetworks(ctx, sw, d, ns, opts.DryRun, out); err != nil {
		return res, err
	}
	secretIDs, err := ensureObjects(ctx, "secret", sw.SecretList, sw.SecretCreate, d.Secrets, ns, opts.DryRun, out)
	if err != nil {
		return res, err
	}
	configIDs, err := ensureObjects(ctx, "config", sw.ConfigList, sw.ConfigCreate, d.Configs, ns, opts.DryRun, out)
	if err != nil {
		return res, err
	}

	selected := map[string]bool{}
	for _, n := range opts.Services {
		selected[n] = true
	}
	ids := map[string]string{}
	// updated holds when deploy updated a service, to tell that update's
	// failure from an earlier one's.
	updated := map[string]time.Time{}
	for _, level := range d.Levels {
		for _, key := range level {
			if len(selected) > 0 && !selected[key] {
				if cur, ok := byName[d.Services[key].Name]; ok {
					ids[key] = cur.ID
				}
				continue
			}
			// Dependencies asked for with a condition gate this service.
			for _, dep := range sortedKeys(p.Services[key].DependsOn) {
				c := p.Services[key].DependsOn[dep]
				if opts.DryRun || ids[dep] == "" || (c.Condition != spec.ConditionHealthy && c.Condition != spec.ConditionCompleted) {
					continue
				}
				fmt.Fprintf(out, "waiting for %s to be %s\n", dep, conditionWord(c.Condition))
				if err := waitService(ctx, sw, dep, ids[dep], d.Services[dep], updated[dep], opts); err != nil {
					return res, fmt.Errorf("%s depends on %s: %w", key, dep, err)
				}
			}
			ss := d.Services[key]
			if err := resolveRefs(ss.Secrets, secretIDs, opts.DryRun); err != nil {
				return res, fmt.Errorf("service %s: %w", key, err)
			}
			if err := resolveRefs(ss.Configs, configIDs, opts.DryRun); err != nil {
				return res, fmt.Errorf("service %s: %w", key, err)
			}
			ss.Labels[LabelSpecHash] = Hash(ss)
			cur, ok := byName[ss.Name]
			switch {
			case !ok:
				fmt.Fprintf(out, "create service %s\n", ss.Name)
				res.Created = append(res.Created, key)
				if opts.DryRun {
					continue
				}
				id, err := sw.ServiceCreate(ctx, ss)
				if err != nil {
					return res, fmt.Errorf("create service %s: %w", ss.Name, err)
				}
				ids[key] = id
			case cur.Spec.Labels[LabelSpecHash] == ss.Labels[LabelSpecHash]:
				res.Unchanged = append(res.Unchanged, key)
				ids[key] = cur.ID
			default:
				fmt.Fprintf(out, "update service %s\n", ss.Name)
				res.Updated = append(res.Updated, key)
				ids[key] = cur.ID
				if opts.DryRun {
					continue
				}
				if cur.Spec.Mode != ss.Mode {
					// A service's mode cannot change: replace it.
					if err := sw.ServiceRemove(ctx, cur.ID); err != nil {
						return res, fmt.Errorf("replace service %s: %w", ss.Name, err)
					}
					id, err := sw.ServiceCreate(ctx, ss)
					if err != nil {
						return res, fmt.Errorf("replace service %s: %w", ss.Name, err)
					}
					ids[key] = id
					continue
				}
				updated[key] = time.Now()
				if err := sw.ServiceUpdate(ctx, cur.ID, cur.Version, ss); err != nil {
					return res, fmt.Errorf("update service %s: %w", ss.Name, err)
				}
			}
		}
	}

	if opts.Prune {
		want := map[string]bool{}
		for _, ss := range d.Services {
			want[ss.Name] = true
		}
		for _, s := range existing {
			if want[s.Spec.Name] {
				continue
			}
			fmt.Fprintf(out, "remove service %s\n", s.Spec.Name)
			res.Removed = append(res.Removed, s.Spec.Name)
			if !opts.DryRun {
				if err := sw.ServiceRemove(ctx, s.ID); err != nil {
					return res, fmt.Errorf("prune service %s: %w", s.Spec.Name, err)
				}
			}
		}
	}
	if opts.DryRun {
		return res, nil
	}
	// Secrets and configs of earlier content no service uses any more.
	removeUnused(ctx, sw.SecretList, sw.SecretRemove, d.Secrets, ns)
	removeUnused(ctx, sw.ConfigList, sw.ConfigRemove, d.Configs, ns)

	if opts.Wait {
		for _, key := range sortedKeys(ids) {
			if len(selected) > 0 && !selected[key] {
				continue
			}
			if err := waitService(ctx, sw, key, ids[key], d.Services[key], updated[key], opts); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

func resolveRefs(refs []FileRef, ids map[string]string, dryRun bool) error {
	for i := range refs {
		id, ok := ids[refs[i].Name]
		if !ok && !dryRun {
			return fmt.Errorf("%s: %w", refs[i].Name, ErrNotFound)
		}
		refs[i].ID = id
	}
	return nil
}

func ensureNetworks(ctx context.Context, sw Swarm, d *Desired, ns map[string]string, dryRun bool, out io.Writer) error {
	have := map[string]bool{}
	if nets, err := sw.NetworkList(ctx, ns); err == nil {
		for _, n := range nets {
			have[n.Name] = true
		}
	} else if !dryRun {
		return err
	}
	for _, n := range d.Networks {
		if have[n.Name] {
			continue
		}
		fmt.Fprintf(out, "create network %s\n", n.Name)
		if dryRun {
			continue
		}
		if _, err := sw.NetworkCreate(ctx, n); err != nil && !errors.Is(err, ErrConflict) {
			return fmt.Errorf("create network %s: %w", n.Name, err)
		}
	}
	return nil
}

type (
	listFn   func(context.Context, map[string]string) ([]Object, error)
	createFn func(context.Context, ObjectSpec) (string, error)
	removeFn func(context.Context, string) error
)

func ensureObjects(ctx context.Context, kind string, list listFn, create createFn, want []ObjectSpec, ns map[string]string, dryRun bool, out io.Writer) (map[string]string, error) {
	ids := map[string]string{}
	have, err := list(ctx, nil)
	if err != nil && !dryRun {
		return nil, err
	}
	for _, o := range have {
		ids[o.Name] = o.ID
	}
	for _, o := range want {
		if _, ok := ids[o.Name]; ok {
			continue
		}
		fmt.Fprintf(out, "create %s %s\n", kind, o.Name)
		if dryRun {
			continue
		}
		id, err := create(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("create %s %s: %w", kind, o.Name, err)
		}
		ids[o.Name] = id
	}
	return ids, nil
}

// removeUnused removes the stack's hashed secrets or configs that are not
// wanted now; one still in use by a task the swarm has not replaced yet is
// left for the next deploy or undeploy.
func removeUnused(ctx context.Context, list listFn, remove removeFn, want []ObjectSpec, ns map[string]string) {
	keep := map[string]bool{}
	for _, o := range want {
		keep[o.Name] = true
	}
	have, err := list(ctx, ns)
	if err != nil {
		return
	}
	for _, o := range have {
		if o.Labels[LabelContentHash] == "" || keep[o.Name] {
			continue
		}
		_ = remove(ctx, o.ID)
	}
}

// TaskError is a service whose tasks failed while deploy waited.
type TaskError struct {
	Service string
	Task    Task
}

func (e *TaskError) Error() string {
	msg := e.Task.Err
	if msg == "" {
		msg = "task " + e.Task.State
	}
	if e.Task.ExitCode != 0 {
		msg += fmt.Sprintf(" (exit code %d)", e.Task.ExitCode)
	}
	return fmt.Sprintf("service %s: %s", e.Service, msg)
}

// UpdateError is a rolling update the swarm paused or rolled back.
type UpdateError struct {
	Service string
	Update  UpdateStatus
}

func (e *UpdateError) Error() string {
	msg := e.Update.Message
	if msg == "" {
		msg = "update " + e.Update.State
	}
	return fmt.Sprintf("service %s: %s", e.Service, msg)
}

// waitService waits until a service's tasks run its current spec (a swarm
// reports a task with a healthcheck running once it is healthy) or, for a
// job, are complete. A service deploy updated at since fails if that
// rolling update paused or rolled back.
func waitService(ctx context.Context, sw Swarm, key, id string, ss ServiceSpec, since time.Time, opts DeployOptions) error {
	if opts.WaitTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.WaitTimeout)
		defer cancel()
	}
	poll := opts.Poll
	if poll == 0 {
		poll = 250 * time.Millisecond
	}
	want := 1
	if ss.Replicas != nil {
		want = int(*ss.Replicas)
	}
	var last Task
	for {
		tasks, err := sw.TaskList(ctx, id)
		if err != nil {
			return fmt.Errorf("service %s: %w", key, err)
		}
		rolling := false
		if !since.IsZero() {
			u, err := updateStatus(ctx, sw, id, ss)
			if err != nil {
				return fmt.Errorf("service %s: %w", key, err)
			}
			if u.Failed() && !u.Started.Before(since) {
				return &UpdateError{Service: key, Update: u}
			}
			// The last new task may run before the update has stopped
			// the task it replaces.
			rolling = u.State == UpdateUpdating
		}
		done, failed := converged(tasks, ss.Mode, want)
		if done && !rolling {
			return nil
		}
		if failed != nil {
			last = *failed
			if ss.Mode == ModeReplicatedJob || ss.Mode == ModeGlobalJob || (ss.Restart != nil && ss.Restart.Condition == RestartNone) {
				return &TaskError{Service: key, Task: last}
			}
		}
		select {
		case <-ctx.Done():
			if last.ID != "" {
				return fmt.Errorf("waiting: %w", &TaskError{Service: key, Task: last})
			}
			return fmt.Errorf("service %s: waiting for %d tasks: %w", key, want, ctx.Err())
		case <-time.After(poll):
		}
	}
}

func updateStatus(ctx context.Context, sw Swarm, id string, ss ServiceSpec) (UpdateStatus, error) {
	svcs, err := sw.ServiceList(ctx, map[string]string{LabelNamespace: ss.Labels[LabelNamespace]})
	if err != nil {
		return UpdateStatus{}, err
	}
	for _, s := range svcs {
		if s.ID == id {
			return s.Update, nil
		}
	}
	return UpdateStatus{}, ErrNotFound
}

// converged reports whether the tasks are what the mode wants, running
// the service's current spec with none left stopping, and the newest
// failed task, if any.
func converged(tasks []Task, mode string, want int) (bool, *Task) {
	sort.Slice(tasks, func(i, j int) bool { return tasks[i].Created.After(tasks[j].Created) })
	var running, stopping, complete int
	var failed *Task
	slots := map[int]bool{}
	for i, t := range tasks {
		switch t.State {
		case TaskRunning:
			if t.DesiredState == TaskRunning && t.UpToDate {
				running++
			}
			if t.DesiredState != TaskRunning {
				// Replaced, or scaled away: not converged until it stops.
				stopping++
			}
		case TaskComplete:
			if t.UpToDate {
				complete++
			}
		case TaskFailed, TaskRejected:
			if failed == nil && !slots[t.Slot] {
				failed = &tasks[i]
			}
		}
		slots[t.Slot] = true
	}
	if mode == ModeReplicatedJob || mode == ModeGlobalJob {
		return complete >= want, failed
	}
	if mode == ModeGlobal {
		return running > 0 && running == countDesired(tasks) && stopping == 0, failed
	}
	return running == want && countDesired(tasks) == want && stopping == 0, failed
}

func countDesired(tasks []Task) int {
	n := 0
	for _, t := range tasks {
		if t.DesiredState == TaskRunning {
			n++
		}
	}
	return n
}

// UndeployOptions tune an undeploy.
type UndeployOptions struct {
	Out io.Writer
	// DryRun lists what undeploy would remove and removes nothing.
	DryRun bool
}

// Undeploy removes the stack's services, then its secrets, configs and
// networks: everything labelled with the namespace, whoever deployed it.
// Volumes live on the nodes; the caller removes them with the engine.
func Undeploy(ctx context.Context, sw Swarm, namespace string, opts UndeployOptions) ([]string, error) {
	out := opts.Out
	if out == nil {
		out = io.Discard
	}
	if err := NeedManager(ctx, sw); err != nil {
		return nil, err
	}
	ns := map[string]string{LabelNamespace: namespace}
	var removed []string
	services, err := sw.ServiceList(ctx, ns)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, s := range services {
		fmt.Fprintf(out, "remove service %s\n", s.Spec.Name)
		if opts.DryRun {
			removed = append(removed, s.Spec.Name)
			continue
		}
		if err := sw.ServiceRemove(ctx, s.ID); err != nil && !errors.Is(err, ErrNotFound) {
			errs = append(errs, fmt.Errorf("remove service %s: %w", s.Spec.Name, err))
			continue
		}
		removed = append(removed, s.Spec.Name)
	}
	for _, kind := range []struct {
		name   string
		list   listFn
		remove removeFn
	}{{"secret", sw.SecretList, sw.SecretRemove}, {"config", sw.ConfigList, sw.ConfigRemove}} {
		objs, err := kind.list(ctx, ns)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, o := range objs {
			fmt.Fprintf(out, "remove %s %s\n", kind.name, o.Name)
			if opts.DryRun {
				removed = append(removed, o.Name)
				continue
			}
			if err := kind.remove(ctx, o.ID); err != nil && !errors.Is(err, ErrNotFound) {
				errs = append(errs, fmt.Errorf("remove %s %s: %w", kind.name, o.Name, err))
				continue
			}
			removed = append(removed, o.Name)
		}
	}
	nets, err := sw.NetworkList(ctx, ns)
	if err != nil {
		errs = append(errs, err)
	}
	for _, n := range nets {
		fmt.Fprintf(out, "remove network %s\n", n.Name)
		if opts.DryRun {
			removed = append(removed, n.Name)
			continue
		}
		// A network is busy until the removed services' tasks are gone.
		var rerr error
		for range 40 {
			if rerr = sw.NetworkRemove(ctx, n.ID); rerr == nil || errors.Is(rerr, ErrNotFound) {
				rerr = nil
				break
			}
			select {
			case <-ctx.Done():
				return removed, ctx.Err()
			case <-time.After(250 * time.Millisecond):
			}
		}
		if rerr != nil {
			errs = append(errs, fmt.Errorf("remove network %s: %w", n.Name, rerr))
			continue
		}
		removed = append(removed, n.Name)
	}
	slices.Sort(removed)
	return removed, errors.Join(errs...)
}
