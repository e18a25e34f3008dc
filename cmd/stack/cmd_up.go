package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/ui"
	"github.com/stack-dev/stack/lint"
	"github.com/stack-dev/stack/spec"
)

type upOptions struct {
	Detach        bool
	DryRun        bool
	Wait          bool
	WaitTimeout   time.Duration
	ForceRecreate bool
	RenewAnon     bool
	NoRecreate    bool
	RemoveOrphans bool
	Scale         []string // svc=N
	Parallel      int
	ExitCodeFrom  string
	AbortOnExit   bool
	Timeout       *time.Duration // stop timeout (recreate, remove, Ctrl-C); nil: stop_grace_period
	Build         bool
	Pull          string
	TTL           time.Duration // > 0: a session the reaper removes after this long
	Yes           bool          // recreate volumes whose config changed
	// Compose's flags: abort only on a failure; follow the dependencies'
	// logs too; accepted as no-ops.
	NoDeps             bool
	AbortOnFailure     bool
	AttachDependencies bool
	Menu               bool
	Watch              bool // run the dev loop (develop.watch) while attached
}

func newUpCmd(g *globalOptions) *cobra.Command {
	var opts upOptions
	cmd := &cobra.Command{
		Use:   "up [service...]",
		Short: "Create and start the stack, following its logs unless -d",
		Long: `Create and start the stack: build or pull images, create networks and
volumes, and start containers in dependency order. Without -d, follow the
containers' logs until Ctrl-C, which stops the stack gracefully; a second
Ctrl-C kills it.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			// The global --dry-run, --parallel and COMPOSE_REMOVE_ORPHANS.
			opts.DryRun = opts.DryRun || g.DryRun
			opts.RemoveOrphans = opts.RemoveOrphans || g.RemoveOrphans
			if g.Parallel > 0 && !cmd.Flags().Changed("parallel") {
				opts.Parallel = g.Parallel
			}
			return runUp(cmd.Context(), g, opts, args)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.Detach, "detach", "d", false, "start in the background and return")
	f.BoolVar(&opts.DryRun, "dry-run", false, "print the plan and change nothing")
	f.BoolVar(&opts.Wait, "wait", false, "return once every service is running (healthy where it has a healthcheck) and every job completed; implies -d")
	f.Var(durationFlag{&opts.WaitTimeout}, "wait-timeout", "give up waiting after this long (with --wait; seconds or a duration)")
	f.BoolVar(&opts.ForceRecreate, "force-recreate", false, "recreate containers even if unchanged (of the named services only, when services are named; their dependencies only if changed)")
	f.BoolVar(&opts.NoRecreate, "no-recreate", false, "never recreate existing containers")
	f.BoolVarP(&opts.RenewAnon, "renew-anon-volumes", "V", false, "give recreated containers new anonymous volumes instead of their predecessors' data")
	f.BoolVarP(&opts.Yes, "yes", "y", false, "recreate volumes whose configuration changed, losing their data (as Compose's answer yes)")
	f.BoolVar(&opts.RemoveOrphans, "remove-orphans", false, "remove containers of services not in the stack")
	f.StringArrayVar(&opts.Scale, "scale", nil, "set the replicas of a service, svc=N (repeatable)")
	f.IntVar(&opts.Parallel, "parallel", engine.DefaultParallel, "container operations in flight at once")
	f.StringVar(&opts.ExitCodeFrom, "exit-code-from", "", "exit with the exit code of this service's container; implies --abort-on-container-exit")
	f.BoolVar(&opts.AbortOnExit, "abort-on-container-exit", false, "stop the whole stack when any container stops (attached mode)")
	addStopTimeoutFlag(f, &opts.Timeout, "stop timeout for recreated, removed and, on Ctrl-C, stopped containers")
	f.BoolVar(&opts.Build, "build", false, "build images even if their context is unchanged")
	f.StringVar(&opts.Pull, "pull", "", "pull images: always, missing, never (default: each service's pull_policy)")
	f.BoolVar(&opts.Watch, "watch", false, "apply the services' develop.watch rules while attached, as `stack watch` does")
	f.DurationVar(&opts.TTL, "ttl", 0, "remove the stack's containers, networks and volumes after this long (by the reaper, or `stack reap`)")
	f.BoolVar(&opts.NoDeps, "no-deps", false, "with services named, do not start (or wait for) their dependencies")
	f.BoolVar(&opts.AbortOnFailure, "abort-on-container-failure", false, "stop the whole stack when a container exits with a non-zero code (attached mode)")
	f.BoolVar(&opts.AttachDependencies, "attach-dependencies", false, "with services named, also follow the logs of their dependencies")
	f.BoolVar(&opts.Menu, "menu", false, "accepted for Docker Compose scripts; stack has no interactive menu")
	return cmd
}

func parseScale(flags []string) (map[string]int, error) {
	scale := map[string]int{}
	for _, kv := range flags {
		name, n, ok := strings.Cut(kv, "=")
		count, err := strconv.Atoi(n)
		if !ok || name == "" || err != nil || count < 0 {
			return nil, fmt.Errorf("scale %q: want service=N with N >= 0", kv)
		}
		if prev, dup := scale[name]; dup && prev != count {
			return nil, fmt.Errorf("scale: %s is given both %d and %d replicas", name, prev, count)
		}
		scale[name] = count
	}
	return scale, nil
}

func runUp(ctx context.Context, g *globalOptions, opts upOptions, services []string) error {
	if opts.ForceRecreate && opts.NoRecreate {
		return errors.New("--force-recreate and --no-recreate cannot be used together")
	}
	scale, err := parseScale(opts.Scale)
	if err != nil {
		return err
	}
	p, err := g.loadProject(services...)
	if err != nil {
		return err
	}
	for name := range scale {
		if _, ok := p.Services[name]; !ok {
			return fmt.Errorf("--scale: no such service: %s", name)
		}
	}
	watch, err := upWatch(g, p, opts, services)
	if err != nil {
		return err
	}
	if opts.TTL < 0 {
		return errors.New("--ttl: want a positive duration")
	}
	if opts.TTL > 0 && !opts.DryRun {
		p.Labels = ttlSession(p.Name, opts.TTL)
		startReaper(ctx, g)
	}
	e, done, err := g.newEngine()
	if err != nil {
		return err
	}
	defer done()

	upCtx, more, stopSignals := interrupts(ctx)
	defer stopSignals()
	started := time.Now()
	plan, err := e.Up(upCtx, p, engine.UpOptions{
		Plan: engine.PlanOptions{
			Services: services, Scale: scale,
			ForceRecreate: opts.ForceRecreate, NoRecreate: opts.NoRecreate,
			RecreateVolumes: opts.Yes,
			NoDeps:          opts.NoDeps,
		},
		Images:           engine.ImageOptions{Build: opts.Build, Pull: opts.Pull},
		Parallel:         opts.Parallel,
		DryRun:           opts.DryRun,
		RemoveOrphans:    opts.RemoveOrphans,
		RenewAnonVolumes: opts.RenewAnon,
		Wait:             opts.Wait,
		WaitTimeout:      opts.WaitTimeout,
		StopTimeout:      opts.Timeout,
	})
	if opts.DryRun && plan != nil {
		done()
		if werr := plan.Write(g.stdout); werr != nil {
			return werr
		}
		return err
	}
	if err != nil {
		if upCtx.Err() != nil && ctx.Err() == nil {
			return errors.New("interrupted; run `stack up` again to converge, or `stack down` to tear down")
		}
		return err
	}
	// A one-line lint summary for people; tools reading --progress json or
	// quiet output get no stray text on stderr.
	if g.Progress != ui.ModeJSON && g.Progress != ui.ModeQuiet {
		if fs := lint.Check(ctx, p, lint.Options{ImageUser: imageUserMemo(e)}); len(fs) > 0 {
			done()
			fmt.Fprintf(g.stderr, "warning: %s; run `stack lint` for details\n", lintSummary(fs))
		}
	}
	if opts.Detach || opts.Wait {
		if opts.AbortOnExit || opts.AbortOnFailure || opts.ExitCodeFrom != "" {
			return errors.New("--abort-on-container-exit, --abort-on-container-failure and --exit-code-from need attached mode (no -d or --wait)")
		}
		return nil
	}
	if opts.AttachDependencies && len(services) > 0 {
		closure, err := p.Closure(services)
		if err != nil {
			return err
		}
		services = closure
	}
	if opts.ExitCodeFrom != "" {
		if _, ok := p.Services[opts.ExitCodeFrom]; !ok {
			return fmt.Errorf("--exit-code-from: no such service: %s", opts.ExitCodeFrom)
		}
		opts.AbortOnExit = true
	}
	done()
	if watch != nil {
		stopWatch := watch(upCtx)
		defer stopWatch()
	}
	return attach(ctx, g, e, p, opts, services, started, upCtx, more)
}

// attach follows the logs of the stack until every container has stopped
// for good (one that its restart policy brings back is followed again) or
// the user presses Ctrl-C, then stops the stack gracefully; a second Ctrl-C
// kills it.
func attach(ctx context.Context, g *globalOptions, e *engine.Engine, p *spec.Project, opts upOptions,
	services []string, since time.Time, interrupted context.Context, more <-chan os.Signal) error {
	printer := ui.NewLogPrinter(g.stdout, false, 0)
	logsCtx, stopLogs := context.WithCancel(interrupted)
	defer stopLogs()
	type exit struct {
		container string
		code      int
	}
	exited := make(chan exit, 1)
	var codesMu sync.Mutex
	codes := map[string]int{} // service -> exit code of its last ended run
	logsDone := make(chan error, 1)
	go func() {
		logsDone <- e.Logs(logsCtx, p.Name, engine.LogsOptions{
			Services:   attachedServices(p, services),
			LogOptions: engine.LogOptions{Follow: true, Since: since, Tail: "all"},
			// Containers that restart are followed again; the logs end
			// once nothing runs or will run again.
			Rejoin: true,
			KeepFollowing: func(ctx context.Context) (bool, error) {
				return e.Alive(ctx, p, services)
			},
			Ended: func(container, service string, code int) {
				printer.Message(exitedMessage(container, code))
				if code >= 0 {
					codesMu.Lock()
					codes[service] = code
					codesMu.Unlock()
				}
				if opts.AbortOnExit || opts.AbortOnFailure && code != 0 {
					select {
					case exited <- exit{container, code}:
					default:
					}
				}
			},
		}, printer.Print)
	}()
	stopping := ""
	abortCode := 0 // the exit code of the container that ended the stack
	select {
	case err := <-logsDone:
		if err != nil {
			return err
		}
	case <-interrupted.Done():
		stopping = "gracefully stopping... (press Ctrl+C again to force)"
	case x := <-exited:
		stopping = x.container + " exited; stopping the stack (--abort-on-container-exit)"
		if !opts.AbortOnExit {
			stopping = fmt.Sprintf("%s failed with exit code %d; stopping the stack (--abort-on-container-failure)", x.container, x.code)
		}
		abortCode = max(x.code, 0)
	}
	if stopping != "" {
		stopLogs()
		<-logsDone
		printer.Message(stopping)
		// A SIGTERM to stack ended ctx too; the stack still stops gracefully.
		ctx = context.WithoutCancel(ctx)
		if err := stopAttached(ctx, g, e, p.Name, services, opts.Timeout, interrupted, more, printer); err != nil {
			return err
		}
	}
	if opts.ExitCodeFrom != "" {
		// The code it exited with here; a restart policy may have run it
		// again since, and the stop ended that run with another.
		codesMu.Lock()
		code, ok := codes[opts.ExitCodeFrom]
		codesMu.Unlock()
		if ok {
			if code != 0 {
				return exitError{code: code}
			}
			return nil
		}
		return exitCodeFrom(ctx, e, p.Name, opts.ExitCodeFrom)
	}
	if abortCode != 0 {
		// A failure that ended the stack fails the command, as CI wants.
		return exitError{code: abortCode}
	}
	return nil
}

// stopAttached stops the stack at the end of an attached up, each
// container shown stopping in a progress display of its own (the first one
// ended when the logs began). The next Ctrl-C kills: the second one, or the
// first if the stack is stopping because a container exited.
func stopAttached(ctx context.Context, g *globalOptions, e *engine.Engine, project string, services []string,
	timeout *time.Duration, interrupted context.Context, more <-chan os.Signal, printer *ui.LogPrinter) error {
	stopCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts := engine.StopOptions{Services: services, Timeout: timeout, Project: g.loaded}
	withProgress := func(stop func(e *engine.Engine) error) error {
		e, done, err := g.withProgress(e)
		if err != nil {
			return err
		}
		defer done()
		return stop(e)
	}
	stopped := make(chan error, 1)
	kill := make(chan struct{})
	go func() {
		stopped <- withProgress(func(e *engine.Engine) error { return e.Stop(stopCtx, project, opts) })
	}()
	go func() {
		var firstCtrlC <-chan struct{}
		if interrupted.Err() == nil {
			firstCtrlC = interrupted.Done()
		}
		select {
		case <-firstCtrlC:
		case <-more:
		case <-stopCtx.Done():
			return
		}
		close(kill)
	}()
	select {
	case err := <-stopped:
		return err
	case <-kill:
	}
	cancel()
	<-stopped // the display is closed once this returns
	printer.Message("killing...")
	return withProgress(func(e *engine.Engine) error {
		return e.Stop(ctx, project, engine.StopOptions{Services: services, Kill: true})
	})
}

// exitedMessage is the line that says a followed container stopped.
func exitedMessage(container string, code int) string {
	if code < 0 {
		return container + " exited"
	}
	return fmt.Sprintf("%s exited with code %d", container, code)
}

func exitCodeFrom(ctx context.Context, e *engine.Engine, project, service string) error {
	rows, err := e.Ps(ctx, project, engine.PsOptions{All: true, Services: []string{service}})
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.ExitCode != 0 {
			return exitError{code: r.ExitCode}
		}
	}
	return nil
}

// imageUserMemo looks up each image's default user once, however many
// services run it.
func imageUserMemo(e *engine.Engine) func(ctx context.Context, image string) (string, bool) {
	type answer struct {
		user  string
		known bool
	}
	seen := map[string]answer{}
	return func(ctx context.Context, image string) (string, bool) {
		a, ok := seen[image]
		if !ok {
			a.user, a.known = e.ImageUser(ctx, image)
			seen[image] = a
		}
		return a.user, a.known
	}
}

// attachedServices are the services attached up follows: those named (all
// when none is), less those with attach: false, as in Compose. nil (every
// service, less attach: false) when that leaves them all.
func attachedServices(p *spec.Project, services []string) []string {
	if len(services) == 0 {
		return nil
	}
	var out []string
	for _, name := range services {
		if s := p.Services[name]; s == nil || s.Attached() {
			out = append(out, name)
		}
	}
	if len(out) == 0 {
		// Only unattached services named: follow none of them. A name no
		// container has keeps the follower idle until the stack stops.
		return []string{""}
	}
	return out
}
