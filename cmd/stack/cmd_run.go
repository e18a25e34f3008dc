package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"

	"github.com/mattn/go-shellwords"
	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
)

type runOptions struct {
	Publish []string // --publish, [[ip:]host:]container[/proto]
	Remove  bool
	Detach  bool
	NoTTY   bool
	NoDeps  bool
	// ServicePorts and UseAliases give the one-off what the service's
	// containers have: published ports, network aliases.
	ServicePorts bool
	UseAliases   bool
	Env          []string
	Entrypoint   string
	// EntrypointSet tells --entrypoint "" (clear it) from no flag.
	EntrypointSet bool
	Name          string
	User          string
	WorkingDir    string
	Build         bool
	Pull          string
}

func newRunCmd(g *globalOptions) *cobra.Command {
	var opts runOptions
	cmd := &cobra.Command{
		Use:   "run [flags] SERVICE [COMMAND [ARG...]]",
		Short: "Run a one-off container of a service",
		Long: `Run a one-off container from a service's config, with the command
replaced if given: first bring up the service's dependencies (unless
--no-deps), then attach to it (a TTY when stdin is a terminal, unless -T),
and exit with its exit code. The container is named
<project>-<service>-run-<random> and is removed by ` + "`stack down`" + `, or
as soon as it exits with --rm.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.EntrypointSet = cmd.Flags().Changed("entrypoint")
			return runRun(cmd.Context(), g, opts, args)
		},
	}
	f := cmd.Flags()
	// Flags after SERVICE belong to the command.
	f.SetInterspersed(false)
	f.BoolVar(&opts.Remove, "rm", false, "remove the container when it exits")
	f.BoolVarP(&opts.Detach, "detach", "d", false, "start the container in the background and print its name")
	f.BoolVarP(&opts.NoTTY, "no-tty", "T", false, "do not allocate a TTY, even when stdin is a terminal")
	f.BoolVar(&opts.NoDeps, "no-deps", false, "do not start the service's dependencies")
	f.BoolVar(&opts.ServicePorts, "service-ports", false, "publish the service's ports (left out by default)")
	// -p is --publish here, as in Docker Compose; the global -p goes
	// before the command (see logs' --follow).
	f.StringVar(&g.ProjectName, "project-name", "", "project name; -p before the command")
	f.StringArrayVarP(&opts.Publish, "publish", "p", nil, "publish a port of the one-off, [[ip:]host:]container[/proto] (repeatable)")
	f.BoolVar(&opts.UseAliases, "use-aliases", false, "answer to the service's name on its networks (by default only to the one-off's own)")
	f.StringArrayVarP(&opts.Env, "env", "e", nil, "set an environment variable, KEY=value or KEY to pass ours (repeatable)")
	f.StringVar(&opts.Entrypoint, "entrypoint", "", `replace the entrypoint (split like a shell command line; "" clears it)`)
	f.StringVar(&opts.Name, "name", "", "name of the container (default <project>-<service>-run-<random>)")
	f.StringVarP(&opts.User, "user", "u", "", "run as this user (name or uid[:gid])")
	f.StringVarP(&opts.WorkingDir, "workdir", "w", "", "working directory in the container")
	f.BoolVar(&opts.Build, "build", false, "build the image even if its context is unchanged")
	f.StringVar(&opts.Pull, "pull", "", "pull images: always, missing, never (default: each service's pull_policy)")
	return cmd
}

// passInterrupts handles Ctrl-C for a one-off without a TTY, as docker run
// does: once the one-off runs, each Ctrl-C is passed on to it as SIGINT (the
// one-off decides what it means), and the third stops it; before that, the
// first one cancels, as everywhere.
func passInterrupts(parent context.Context, attached *atomic.Bool, stderr io.Writer) (context.Context, <-chan string, func()) {
	ctx, cancel := context.WithCancel(parent)
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt)
	pass := make(chan string, 4)
	go func() {
		passed := 0
		for range sigs {
			if !attached.Load() || passed == 2 {
				cancel()
				continue
			}
			passed++
			if passed == 1 {
				fmt.Fprintln(stderr, "passing the interrupt on to the one-off (press Ctrl+C twice more to stop it)")
			}
			select {
			case pass <- "SIGINT":
			default:
			}
		}
	}()
	return ctx, pass, func() {
		signal.Stop(sigs)
		cancel()
	}
}

func runRun(ctx context.Context, g *globalOptions, opts runOptions, args []string) error {
	// -e KEY takes its value from our environment, else from .env or
	// --env-file, as in Compose.
	env, err := envFlagsFrom(opts.Env, g.lookupEnv)
	if err != nil {
		return err
	}
	var publish []spec.Port
	for _, ps := range opts.Publish {
		ports, err := spec.ParsePorts(ps)
		if err != nil {
			return fmt.Errorf("--publish %q: %w", ps, err)
		}
		publish = append(publish, ports...)
	}
	var entrypoint []string
	switch {
	case opts.Entrypoint != "":
		if entrypoint, err = shellwords.Parse(opts.Entrypoint); err != nil {
			return fmt.Errorf("--entrypoint: %w", err)
		}
	case opts.EntrypointSet:
		entrypoint = []string{""} // clears the image's, as docker run does
	}
	p, e, done, err := g.stackEngine(args[0])
	if err != nil {
		return err
	}
	defer done()

	local := newLocalTerminal(g, !opts.NoTTY && !opts.Detach)
	restore := func() {}
	var rawErr error
	var attached atomic.Bool
	var signals <-chan string
	var runCtx context.Context
	if local.streams.Tty || opts.Detach {
		// In raw mode a Ctrl-C is a key for the container, not a signal.
		var stopSignals func()
		runCtx, _, stopSignals = interrupts(ctx)
		defer stopSignals()
	} else {
		var stopSignals func()
		runCtx, signals, stopSignals = passInterrupts(ctx, &attached, g.stderr)
		defer stopSignals()
	}
	var cmd []string
	if len(args) > 1 {
		cmd = args[1:]
	}
	res, err := e.Run(runCtx, p, engine.RunOptions{
		Service:      args[0],
		Cmd:          cmd,
		Entrypoint:   entrypoint,
		Env:          env,
		User:         opts.User,
		WorkingDir:   opts.WorkingDir,
		Name:         opts.Name,
		NoDeps:       opts.NoDeps,
		ServicePorts: opts.ServicePorts,
		Publish:      publish,
		UseAliases:   opts.UseAliases,
		Detach:       opts.Detach,
		Remove:       opts.Remove,
		Images:       engine.ImageOptions{Build: opts.Build, Pull: opts.Pull},
		Streams:      local.streams,
		Signals:      signals,
		Attaching: sync.OnceFunc(func() {
			attached.Store(true)
			done()
			if r, err := local.makeRaw(); err != nil {
				rawErr = err
			} else {
				restore = r
			}
		}),
	})
	restore()
	if rawErr != nil {
		g.log.Warn(rawErr.Error())
	}
	if errors.Is(err, engine.ErrInterrupted) {
		return exitError{code: exitInterrupted}
	}
	if err != nil {
		return err
	}
	if opts.Detach {
		fmt.Fprintln(g.stdout, res.Name)
		return nil
	}
	if res.ExitCode != 0 {
		return exitError{code: res.ExitCode}
	}
	return nil
}
