package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/stack-dev/stack/spec"
)

// DefaultParallel bounds concurrent container operations. The daemon
// serialises much of its work; past a handful of calls in flight a 2-core
// engine gets slower, not faster.
const DefaultParallel = 8

// applyOptions tune the executor.
type applyOptions struct {
	Parallel int
	// RenewAnonVolumes gives recreated containers new anonymous volumes
	// instead of their predecessors' (up -V).
	RenewAnonVolumes bool
	// DependencyTimeout bounds each wait for a dependency's condition.
	DependencyTimeout time.Duration
	StopTimeout       *time.Duration
}

// executor applies one plan: it walks the dependency graph, starting each
// service once the services it depends on meet their conditions, replicas of
// one service and independent services in parallel.
type executor struct {
	e     *Engine
	p     *spec.Project
	plan  *Plan
	opts  applyOptions
	watch *watcher
	sem   chan struct{}

	mu    sync.Mutex
	ids   map[string][]string // service -> container IDs after apply
	names map[string]string   // container ID -> name, for progress
	// created holds containers made ahead of their start, by name.
	created map[string]string
	errs    map[string]error
	done    map[string]chan struct{}
}

func (e *Engine) apply(ctx context.Context, p *spec.Project, plan *Plan, opts applyOptions) error {
	if opts.Parallel <= 0 {
		opts.Parallel = DefaultParallel
	}
	if opts.DependencyTimeout <= 0 {
		opts.DependencyTimeout = 5 * time.Minute
	}
	if err := e.createResources(ctx, plan, opts.StopTimeout); err != nil {
		return err
	}
	x := &executor{
		e: e, p: p, plan: plan, opts: opts,
		sem:   make(chan struct{}, opts.Parallel),
		ids:   map[string][]string{},
		names: map[string]string{},
		errs:  map[string]error{},
		done:  map[string]chan struct{}{},

		created: map[string]string{},
	}
	for _, sp := range plan.Services {
		x.done[sp.Service] = make(chan struct{})
	}
	if plan.Changes() {
		// Only a plan that starts something waits on conditions; a no-op
		// up makes no call beyond observing.
		watchCtx, stopWatch := context.WithCancel(ctx)
		defer stopWatch()
		x.watch = newWatcher(watchCtx, e.docker, p.Name)
	}
	var wg sync.WaitGroup
	for _, sp := range plan.Services {
		wg.Add(1)
		go func(sp *ServicePlan) {
			defer wg.Done()
			err := x.runService(ctx, sp)
			x.mu.Lock()
			x.errs[sp.Service] = err
			x.mu.Unlock()
			close(x.done[sp.Service])
		}(sp)
	}
	wg.Wait()
	var errs []error
	for _, sp := range plan.Services {
		if err := x.errs[sp.Service]; err != nil && !errors.Is(err, errDependencyFailed) {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		for _, sp := range plan.Services {
			if err := x.errs[sp.Service]; err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// errDependencyFailed marks a service that was not started because one of its
// dependencies failed; the dependency's own error says why.
var errDependencyFailed = errors.New("dependency failed")

func (x *executor) runService(ctx context.Context, sp *ServicePlan) error {
	s := x.p.Services[sp.Service]
	if !sp.changes() {
		// Nothing to start, so nothing to wait for.
		return x.runActions(ctx, sp)
	}
	deps := x.p.Dependencies(sp.Service)
	if len(deps) > 0 {
		// Creating takes the daemon a while; do it while the dependencies
		// come up, so only the start waits for them.
		x.precreate(ctx, sp)
	}
	for _, dep := range deps {
		ch, ok := x.done[dep]
		if !ok {
			continue
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		x.mu.Lock()
		depErr, ids := x.errs[dep], x.ids[dep]
		x.mu.Unlock()
		if depErr != nil && !s.DependsOn[dep].Required {
			x.skipOptional(sp, dep, "failed to start")
			continue
		}
		if depErr != nil {
			x.discardPrecreated(sp)
			for _, a := range sp.Actions {
				x.e.emit(Status{Object: a.Name, Service: sp.Service, Phase: PhaseError, Detail: "not started: dependency " + dep + " failed", Done: true})
			}
			return fmt.Errorf("service %s not started: dependency %s failed: %w", sp.Service, dep, errDependencyFailed)
		}
		cond := s.DependsOn[dep].Condition
		if err := x.waitCondition(ctx, sp, dep, cond, ids); err != nil {
			if !s.DependsOn[dep].Required && ctx.Err() == nil {
				x.skipOptional(sp, dep, "did not meet "+cond)
				continue
			}
			x.discardPrecreated(sp)
			return err
		}
	}
	return x.runActions(ctx, sp)
}

// precreate creates the new containers of a service ahead of its start.
// A create that fails here is left to runAction, which reports it.
func (x *executor) precreate(ctx context.Context, sp *ServicePlan) {
	var wg sync.WaitGroup
	for _, a := range sp.Actions {
		if a.Kind != ActCreate {
			continue
		}
		wg.Add(1)
		go func(a ContainerAction) {
			defer wg.Done()
			x.sem <- struct{}{}
			defer func() { <-x.sem }()
			id, err := x.createContainer(ctx, a.Spec)
			if err != nil {
				return
			}
			x.mu.Lock()
			x.created[a.Name] = id
			x.mu.Unlock()
			x.e.emit(Status{Object: a.Name, Service: a.Service, Phase: PhaseCreated})
		}(a)
	}
	wg.Wait()
}

// discardPrecreated removes the containers precreate made for a service
// that will not start, so a failed dependency leaves nothing behind.
func (x *executor) discardPrecreated(sp *ServicePlan) {
	for _, a := range sp.Actions {
		x.mu.Lock()
		id, ok := x.created[a.Name]
		delete(x.created, a.Name)
		x.mu.Unlock()
		if ok {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if err := x.e.docker.ContainerRemove(ctx, id, true); err != nil && !errors.Is(err, ErrNotFound) {
				x.e.log.Warn("remove precreated container", zap.String("container", a.Name), zap.Error(err))
			}
			cancel()
		}
	}
}

// runActions removes surplus replicas first, then creates, recreates and
// starts the others in parallel.
func (x *executor) runActions(ctx context.Context, sp *ServicePlan) error {
	s := x.p.Services[sp.Service]
	if err := x.preStart(ctx, s, sp); err != nil {
		return err
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	ids := make([]string, 0, len(sp.Actions))
	run := func(acts []ContainerAction) {
		for _, a := range acts {
			wg.Add(1)
			go func(a ContainerAction) {
				defer wg.Done()
				x.sem <- struct{}{}
				id, err := x.runAction(ctx, s, a)
				<-x.sem
				if id != "" {
					x.mu.Lock()
					x.names[id] = a.Name
					x.mu.Unlock()
				}
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				} else if id != "" {
					ids = append(ids, id)
				}
			}(a)
		}
		wg.Wait()
	}
	var removes, rolling, others []ContainerAction
	roll := rollable(s, sp)
	for _, a := range sp.Actions {
		switch {
		case a.Kind == ActRemove:
			removes = append(removes, a)
		case a.Kind == ActRecreate && roll:
			rolling = append(rolling, a)
		default:
			others = append(others, a)
		}
	}
	run(removes)
	run(others)
	// One replica at a time, each new one ready before its old one goes, so
	// the service behind its DNS name never goes dark.
	for _, a := range rolling {
		id, err := x.rollingRecreate(ctx, s, a)
		if err != nil {
			errs = append(errs, err)
			break
		}
		x.mu.Lock()
		x.names[id] = a.Name
		x.mu.Unlock()
		ids = append(ids, id)
	}
	x.mu.Lock()
	x.ids[sp.Service] = ids
	x.mu.Unlock()
	return errors.Join(errs...)
}

// containerReporter returns the progress reporting of one container
// action: emit a phase, emit the final one, or fail with an error.
func (e *Engine) containerReporter(a ContainerAction) (emit, emitDone func(phase, detail string), fail func(error) (string, error)) {
	st := Status{Object: a.Name, Service: a.Service}
	emit = func(phase, detail string) {
		st.Phase, st.Detail = phase, detail
		e.emit(st)
	}
	emitDone = func(phase, detail string) {
		st.Done = true
		emit(phase, detail)
	}
	fail = func(err error) (string, error) {
		if goneSinceObserved(a, err) {
			return "", err // runAction creates it anew; not the user's error
		}
		st.Err = err
		detail := err.Error()
		if errors.Is(err, context.Canceled) {
			// Ctrl-C: the API call's own text ("Post http://...: context
			// canceled") says nothing the user does not know.
			detail = "interrupted"
		}
		emitDone(PhaseError, detail)
		return "", err
	}
	return emit, emitDone, fail
}

// runAction carries out one container action and returns the ID of the
// container that now serves the replica ("" after a remove).
func (x *executor) runAction(ctx context.Context, s *spec.Service, a ContainerAction) (string, error) {
	id, err := x.runActionOnce(ctx, s, a)
	if goneSinceObserved(a, err) {
		// The container was there when the project was observed and is
		// not now: the daemon rolls back a create whose client (a killed
		// stack) went away. Create the replica anew.
		a.Kind, a.Existing, a.Reason = ActCreate, nil, "gone since observed"
		return x.runActionOnce(ctx, s, a)
	}
	return id, err
}

// goneSinceObserved reports whether err says the container an action was
// planned on no longer exists.
func goneSinceObserved(a ContainerAction, err error) bool {
	return a.Existing != nil && a.Kind != ActRemove && errors.Is(err, ErrNotFound)
}

func (x *executor) runActionOnce(ctx context.Context, s *spec.Service, a ContainerAction) (string, error) {
	d := x.e.docker
	emit, emitDone, fail := x.e.containerReporter(a)
	timeout := stopTimeout(x.opts.StopTimeout, s)
	switch a.Kind {
	case ActKeep:
		emitDone(PhaseUpToDate, a.Reason)
		return a.Existing.ID, nil
	case ActRemove:
		emit(PhaseRemoving, a.Reason)
		if err := x.e.preStop(ctx, observedTarget(*a.Existing)); err != nil {
			return fail(err)
		}
		if err := d.ContainerStop(ctx, a.Existing.ID, timeout); err != nil && !errors.Is(err, ErrNotFound) {
			return fail(fmt.Errorf("stop %s: %w", a.Name, err))
		}
		if err := x.e.removeForGood(ctx, a.Existing.Container); err != nil && !errors.Is(err, ErrNotFound) {
			return fail(fmt.Errorf("remove %s: %w", a.Name, err))
		}
		emitDone(PhaseRemoved, "")
		return "", nil
	case ActRename:
		if err := d.ContainerRename(ctx, a.Existing.ID, a.Name); err != nil {
			return fail(fmt.Errorf("rename %s to %s: %w", a.Existing.Name, a.Name, err))
		}
		emitDone(PhaseRunning, "renamed from "+a.Existing.Name)
		return a.Existing.ID, nil
	case ActStart:
		if a.Existing.Name != a.Name {
			if err := d.ContainerRename(ctx, a.Existing.ID, a.Name); err != nil {
				return fail(fmt.Errorf("rename %s to %s: %w", a.Existing.Name, a.Name, err))
			}
		}
		emit(PhaseStarting, "")
		if err := d.ContainerStart(ctx, a.Existing.ID); err != nil {
			return fail(fmt.Errorf("start %s: %w", a.Name, err))
		}
		if err := x.e.postStart(ctx, actionTarget(a, a.Existing.ID, a.Existing.Labels)); err != nil {
			return fail(err)
		}
		emitDone(PhaseRunning, "")
		return a.Existing.ID, nil
	case ActRestart:
		emit(PhaseStopping, a.Reason)
		if err := x.e.preStop(ctx, observedTarget(*a.Existing)); err != nil {
			return fail(err)
		}
		if err := d.ContainerStop(ctx, a.Existing.ID, timeout); err != nil {
			return fail(fmt.Errorf("stop %s: %w", a.Name, err))
		}
		emit(PhaseStarting, a.Reason)
		if err := d.ContainerStart(ctx, a.Existing.ID); err != nil {
			return fail(fmt.Errorf("start %s: %w", a.Name, err))
		}
		if err := x.e.postStart(ctx, actionTarget(a, a.Existing.ID, a.Existing.Labels)); err != nil {
			return fail(err)
		}
		emitDone(PhaseRunning, "")
		return a.Existing.ID, nil
	case ActRecreate:
		return x.recreate(ctx, a, timeout)
	case ActCreate:
		x.mu.Lock()
		id, precreated := x.created[a.Name]
		x.mu.Unlock()
		var err error
		if !precreated {
			emit(PhaseCreating, "")
			id, err = x.createContainer(ctx, a.Spec)
		}
		if errors.Is(err, ErrConflict) {
			// A killed `stack` process's last create (or start) landed
			// after this one observed the project: the name is taken by
			// the same replica. Adopt it if it has this config, else
			// replace it.
			if leftover, ok := x.ownLeftover(ctx, a); ok {
				if leftover.Labels[LabelConfigHash] == a.Hash {
					if !leftover.Running {
						if err := d.ContainerStart(ctx, leftover.ID); err != nil {
							return fail(fmt.Errorf("start %s: %w", a.Name, err))
						}
						if err := x.e.postStart(ctx, actionTarget(a, leftover.ID, leftover.Labels)); err != nil {
							return fail(err)
						}
					}
					emitDone(PhaseRunning, "adopted from an interrupted run")
					return leftover.ID, nil
				}
				if err := d.ContainerRemove(ctx, leftover.ID, true); err != nil && !errors.Is(err, ErrNotFound) {
					return fail(fmt.Errorf("remove leftover %s: %w", a.Name, err))
				}
				id, err = x.createContainer(ctx, a.Spec)
			}
		}
		if err != nil {
			return fail(fmt.Errorf("create %s: %w", a.Name, err))
		}
		emit(PhaseStarting, "")
		if err := d.ContainerStart(ctx, id); err != nil {
			return fail(fmt.Errorf("start %s: %w", a.Name, err))
		}
		if err := x.e.postStart(ctx, actionTarget(a, id, a.Spec.Labels)); err != nil {
			return fail(err)
		}
		emitDone(PhaseRunning, "")
		return id, nil
	}
	return "", fmt.Errorf("unknown action %s", a.Kind)
}

// ownLeftover returns the container holding a.Name when it is the same
// replica of the same project and service.
func (x *executor) ownLeftover(ctx context.Context, a ContainerAction) (ContainerState, bool) {
	// The daemon reserves a name before the container can be inspected, so
	// a create still in flight answers "not found" for a moment.
	var cs ContainerState
	var err error
	for try := 0; try < 30; try++ {
		if cs, err = x.e.docker.ContainerInspect(ctx, a.Name); !errors.Is(err, ErrNotFound) {
			break
		}
		select {
		case <-ctx.Done():
			return cs, false
		case <-time.After(100 * time.Millisecond):
		}
	}
	if err != nil {
		return cs, false
	}
	for _, l := range []string{LabelProject, LabelService, LabelNumber} {
		if cs.Labels[l] != a.Spec.Labels[l] {
			return cs, false
		}
	}
	return cs, true
}

// recreate replaces a container without ever leaving the replica with no
// container at all: the old one is stopped and renamed aside, the new one
// created and started, and only then is the old one removed. If the new one
// cannot be created, the old one gets its name back and is started again.
func (x *executor) recreate(ctx context.Context, a ContainerAction, timeout *time.Duration) (string, error) {
	emit, emitDone, fail := x.e.containerReporter(a)
	d := x.e.docker
	old := a.Existing
	emit(PhaseRecreate, a.Reason)
	if err := x.e.preStop(ctx, observedTarget(*old)); err != nil {
		return fail(err)
	}
	if err := d.ContainerStop(ctx, old.ID, timeout); err != nil && !errors.Is(err, ErrNotFound) {
		return fail(fmt.Errorf("stop %s: %w", a.Name, err))
	}
	aside := shortID(old.ID) + "_" + old.Name
	if err := d.ContainerRename(ctx, old.ID, aside); err != nil {
		return fail(fmt.Errorf("rename %s: %w", a.Name, err))
	}
	restore := func() {
		if err := d.ContainerRename(ctx, old.ID, old.Name); err != nil {
			x.e.log.Warn("restore container after failed recreate", zap.String("container", old.Name), zap.Error(err))
			return
		}
		if old.Running() {
			_ = d.ContainerStart(ctx, old.ID)
		}
	}
	next := a.Spec
	if !x.opts.RenewAnonVolumes {
		var err error
		if next, err = x.e.inheritVolumes(ctx, old.ID, next); err != nil {
			restore()
			return fail(fmt.Errorf("anonymous volumes of %s: %w", a.Name, err))
		}
	}
	id, err := x.createContainer(ctx, next)
	if err != nil {
		restore()
		return fail(fmt.Errorf("create %s: %w", a.Name, err))
	}
	emit(PhaseStarting, "")
	if err := d.ContainerStart(ctx, id); err != nil {
		_ = d.ContainerRemove(ctx, id, true)
		restore()
		return fail(fmt.Errorf("start %s: %w", a.Name, err))
	}
	// The old container's anonymous volumes the new one took over are in
	// use and stay; the rest (all of them with -V) go with it.
	if err := x.e.removeForGood(ctx, old.Container); err != nil && !errors.Is(err, ErrNotFound) {
		return fail(fmt.Errorf("remove old %s: %w", a.Name, err))
	}
	if err := x.e.postStart(ctx, actionTarget(a, id, next.Labels)); err != nil {
		return fail(err)
	}
	emitDone(PhaseRunning, "recreated")
	return id, nil
}

// actionTarget is the container of action a that hooks run in.
func actionTarget(a ContainerAction, id string, labels map[string]string) hookTarget {
	return hookTarget{ID: id, Name: a.Name, Service: a.Service, Labels: labels}
}

// rollable reports whether a service's recreates can roll: it has more than
// one replica that stays, and no fixed host port that two containers of one
// replica could not share.
func rollable(s *spec.Service, sp *ServicePlan) bool {
	staying := 0
	for _, a := range sp.Actions {
		if a.Kind != ActRemove {
			staying++
		}
	}
	if staying < 2 {
		return false
	}
	for _, p := range s.Ports {
		if p.HostPort != "" {
			return false
		}
	}
	return true
}

// rollingRecreate starts the new container of a replica beside the old one
// under a temporary name, waits until it is ready (healthy where the service
// has a healthcheck, else running), and only then removes the old one and
// gives the new one its name. A crash in between leaves two containers with
// one number, which the next plan sorts out.
func (x *executor) rollingRecreate(ctx context.Context, s *spec.Service, a ContainerAction) (string, error) {
	if !x.opts.RenewAnonVolumes {
		// Two containers on one anonymous volume at once (a database's
		// data folder) is worse than a replica down for a moment.
		if next, err := x.e.inheritVolumes(ctx, a.Existing.ID, a.Spec); err == nil && next.Labels[LabelInheritedVolumes] != "" {
			return x.recreate(ctx, a, stopTimeout(x.opts.StopTimeout, s))
		}
	}
	d := x.e.docker
	emit, emitDone, fail := x.e.containerReporter(a)
	emit(PhaseRecreate, a.Reason+" (rolling)")
	next := a.Spec
	next.Name = a.Name + "-next"
	id, err := x.createContainer(ctx, next)
	if errors.Is(err, ErrConflict) {
		// A crashed roll left one behind; it is ours, by name.
		_ = d.ContainerRemove(ctx, next.Name, true)
		id, err = x.createContainer(ctx, next)
	}
	if err != nil {
		return fail(fmt.Errorf("create %s: %w", next.Name, err))
	}
	if err := d.ContainerStart(ctx, id); err != nil {
		_ = d.ContainerRemove(ctx, id, true)
		return fail(fmt.Errorf("start %s: %w", next.Name, err))
	}
	if err := x.e.postStart(ctx, actionTarget(a, id, next.Labels)); err != nil {
		_ = d.ContainerRemove(ctx, id, true)
		return fail(fmt.Errorf("%w (new container removed, old one kept)", err))
	}
	emit(PhaseWaiting, "new replica getting ready")
	waitCtx, cancel := context.WithTimeout(ctx, x.opts.DependencyTimeout)
	if hc := s.Healthcheck; hc != nil && !hc.Disable {
		err = x.e.waitHealthy(waitCtx, x.watch, s, id)
	} else {
		err = x.watch.wait(waitCtx, id, running)
	}
	cancel()
	if err != nil {
		logs := x.lastLogs([]string{id})
		_ = d.ContainerRemove(ctx, id, true)
		return fail(fmt.Errorf("recreate %s: new container not ready, old one kept: %w%s", a.Name, err, logs))
	}
	old := a.Existing
	if err := x.e.preStop(ctx, observedTarget(*old)); err != nil {
		return fail(err)
	}
	if err := d.ContainerStop(ctx, old.ID, stopTimeout(x.opts.StopTimeout, s)); err != nil && !errors.Is(err, ErrNotFound) {
		return fail(fmt.Errorf("stop %s: %w", a.Name, err))
	}
	if err := d.ContainerRemove(ctx, old.ID, true); err != nil && !errors.Is(err, ErrNotFound) {
		return fail(fmt.Errorf("remove old %s: %w", a.Name, err))
	}
	if err := d.ContainerRename(ctx, id, a.Name); err != nil {
		return fail(fmt.Errorf("rename %s: %w", next.Name, err))
	}
	emitDone(PhaseRunning, "recreated")
	return id, nil
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func (e *Engine) createResources(ctx context.Context, plan *Plan, stopTimeout *time.Duration) error {
	if err := e.recreateResources(ctx, plan, func(c ObservedContainer) error { return e.removeContainer(ctx, c, stopTimeout) }); err != nil {
		return err
	}
	for _, r := range plan.Networks {
		if r.Kind != ActCreate {
			continue
		}
		obj := "network " + r.Name
		e.emit(Status{Object: obj, Phase: PhaseCreating})
		if _, err := e.docker.NetworkCreate(ctx, *r.Network); err != nil && !errors.Is(err, ErrConflict) {
			return fmt.Errorf("create network %s: %w", r.Name, err)
		}
		e.emit(Status{Object: obj, Phase: PhaseCreated, Done: true})
	}
	for _, r := range plan.Volumes {
		if r.Kind != ActCreate {
			continue
		}
		obj := "volume " + r.Name
		e.emit(Status{Object: obj, Phase: PhaseCreating})
		if err := e.docker.VolumeCreate(ctx, *r.Volume); err != nil {
			return fmt.Errorf("create volume %s: %w", r.Name, err)
		}
		e.emit(Status{Object: obj, Phase: PhaseCreated, Done: true})
	}
	return nil
}

// waitCondition blocks until every container of dependency dep meets cond,
// or fails with a message that says which container, what it did, and its
// last log lines.
func (x *executor) waitCondition(ctx context.Context, sp *ServicePlan, dep, cond string, ids []string) error {
	service := sp.Service
	if cond == "" {
		cond = spec.ConditionStarted
	}
	if cond == spec.ConditionStarted {
		return nil // the dependency's containers were started before done closed
	}
	ds := x.p.Services[dep]
	waitFor := map[string]string{spec.ConditionHealthy: "be healthy", spec.ConditionCompleted: "complete successfully"}[cond]
	failed := map[string]string{spec.ConditionHealthy: "become healthy", spec.ConditionCompleted: "complete successfully"}[cond]
	for _, a := range sp.Actions {
		if a.Kind != ActRemove {
			x.e.emit(Status{Object: a.Name, Service: service, Phase: PhaseWaiting, Detail: fmt.Sprintf("for %s to %s", dep, waitFor)})
		}
	}
	ctx, cancel := context.WithTimeout(ctx, x.opts.DependencyTimeout)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func(i int, id string) {
			defer wg.Done()
			switch cond {
			case spec.ConditionHealthy:
				errs[i] = x.e.waitHealthy(ctx, x.watch, ds, id)
			case spec.ConditionCompleted:
				errs[i] = x.watch.wait(ctx, id, completed)
			}
		}(i, id)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("timed out after %s", x.opts.DependencyTimeout)
		}
		return fmt.Errorf("service %s: dependency %s did not %s: %w%s", service, dep, failed, err, x.lastLogs(ids))
	}
	// Say so on the dependency's rows now, not only at the end of --wait.
	met := map[string]string{spec.ConditionHealthy: PhaseHealthy, spec.ConditionCompleted: PhaseExited}[cond]
	for _, id := range ids {
		x.mu.Lock()
		name := x.names[id]
		x.mu.Unlock()
		if name != "" {
			x.e.emit(Status{Object: name, Service: dep, Phase: met, Done: true})
		}
	}
	return nil
}

func completed(st watchState) error {
	switch {
	case st.Exited && st.ExitCode == 0:
		return nil
	case st.Exited:
		return fmt.Errorf("exited with code %d", st.ExitCode)
	}
	return errStillWaiting
}

// lastLogs returns the last lines of output of the containers, indented, for
// an error message.
func (x *executor) lastLogs(ids []string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var b strings.Builder
	for _, id := range ids {
		var out strings.Builder
		if err := x.e.docker.ContainerLogs(ctx, id, LogOptions{Tail: "10"}, &out, &out); err != nil || out.Len() == 0 {
			continue
		}
		x.mu.Lock()
		name := x.names[id]
		x.mu.Unlock()
		if name == "" {
			name = shortID(id)
		}
		fmt.Fprintf(&b, "\nlast log lines of %s:\n", name)
		for _, line := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
			b.WriteString("  | " + line + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// createContainer creates a container of the plan, with its references to
// other services' containers resolved now that those exist.
func (x *executor) createContainer(ctx context.Context, cs ContainerSpec) (string, error) {
	cs, err := x.e.resolveReferences(ctx, x.p, cs)
	if err != nil {
		return "", err
	}
	return x.e.docker.ContainerCreate(ctx, cs)
}
