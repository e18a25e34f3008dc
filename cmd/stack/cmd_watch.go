package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/devloop"
	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/mobydocker"
	"github.com/stack-dev/stack/spec"
)

type watchOptions struct {
	Format string // plain or json
	NoUp   bool   // watch beside the stack as it is, without an up first
}

func newWatchCmd(g *globalOptions) *cobra.Command {
	var opts watchOptions
	cmd := &cobra.Command{
		Use:   "watch [service...]",
		Short: "Bring the stack up and apply its develop.watch rules until Ctrl-C",
		Long: `Bring the services up (in the background, as up -d; --no-up leaves the stack
as it is), then watch the files named by each service's develop.watch rules
and apply them to the running stack: sync copies changed files into every running replica
(and removes deleted ones), rebuild builds the image and recreates the
service's containers as up does (a failing build keeps the old ones),
restart restarts them, sync+restart and sync+exec sync first. One line per
applied change; --format json prints one JSON object a line.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWatch(cmd.Context(), g, opts, args)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "plain", "output format: plain or json")
	cmd.Flags().BoolVar(&opts.NoUp, "no-up", false, "do not bring the services up first: watch beside the stack as it is")
	return cmd
}

func runWatch(ctx context.Context, g *globalOptions, opts watchOptions, services []string) error {
	if opts.Format != "plain" && opts.Format != "json" {
		return fmt.Errorf("--format %q: want plain or json", opts.Format)
	}
	if g.DryRun {
		// The loop applies each save as it comes; it has nothing to print
		// ahead.
		return errors.New("watch has no dry run: it applies each save as it comes\nhint: `stack --dry-run up` shows what up would change")
	}
	p, err := g.loadProject(services...)
	if err != nil {
		return err
	}
	watched, err := devloop.Check(p, services)
	if err != nil {
		return err
	}
	ctx, _, stop := interrupts(ctx)
	defer stop()
	if !opts.NoUp {
		// As docker compose watch does: the stack is up before the
		// first save, its progress shown as up -d shows it.
		e, done, err := g.newEngine()
		if err != nil {
			return err
		}
		_, err = e.Up(ctx, p, engine.UpOptions{Plan: engine.PlanOptions{Services: services}})
		done()
		if err != nil {
			if ctx.Err() != nil {
				return errors.New("interrupted before the watch began")
			}
			return err
		}
	}
	docker, err := mobydocker.New(g.log)
	if err != nil {
		return err
	}
	defer docker.Close()
	if err := noteStopped(ctx, g.stderr, docker, p.Name, watched); err != nil {
		return err
	}
	return watchLoop(ctx, g.stdout, docker, engine.New(docker, g.log, nil), p, watched, opts.Format)
}

// noteStopped says which watched services have no running container: watch
// works beside a running stack, and until one runs their syncs and
// restarts find nothing to apply to.
func noteStopped(ctx context.Context, w io.Writer, docker engine.Docker, project string, services []string) error {
	cs, err := docker.ContainerList(ctx, engine.Labels{engine.LabelProject: project})
	if err != nil {
		return fmt.Errorf("list containers of %s: %w", project, err)
	}
	running := map[string]bool{}
	for _, c := range cs {
		if c.State == "running" {
			running[c.Labels[engine.LabelService]] = true
		}
	}
	var stopped []string
	for _, s := range services {
		if !running[s] {
			stopped = append(stopped, s)
		}
	}
	if len(stopped) > 0 {
		fmt.Fprintf(w, "note: %s %s no running container: syncs and restarts apply once it runs\nhint: start it with `stack up -d`, or watch without --no-up\n",
			strings.Join(stopped, ", "), map[bool]string{true: "has", false: "have"}[len(stopped) == 1])
	}
	return nil
}

// watchLoop runs the dev loop until ctx ends, printing one line (or JSON
// object) per applied change to w.
func watchLoop(ctx context.Context, w io.Writer, docker engine.Docker, e *engine.Engine, p *spec.Project, services []string, format string) error {
	var mu sync.Mutex
	print := func(line string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(w, line)
	}
	return devloop.Run(ctx, e, docker, p, devloop.Options{
		Services: services,
		Report: func(ev devloop.Event) {
			if format == "json" {
				b, _ := json.Marshal(ev)
				print(string(b))
				return
			}
			print(ev.String())
		},
		Ready: func() {
			if format == "json" {
				b, _ := json.Marshal(map[string][]string{"watching": services})
				print(string(b))
				return
			}
			print("watching " + strings.Join(services, ", ") + " (Ctrl-C to stop)")
		},
	})
}

// upWatch checks, for `up --watch`, the rules of the services up starts
// (the named ones with rules, or all with rules) before anything starts,
// and returns what starts the loop once the stack is up: it prints to
// stderr, beside the logs, and its stop ends the loop and waits for it.
func upWatch(g *globalOptions, p *spec.Project, opts upOptions, services []string) (func(ctx context.Context) (stop func()), error) {
	if !opts.Watch {
		return nil, nil
	}
	if opts.Detach || opts.Wait || opts.DryRun {
		return nil, fmt.Errorf("--watch needs attached mode (no -d, --wait or --dry-run)")
	}
	var named []string
	for _, name := range services {
		s := p.Services[name]
		if s == nil {
			// A typo is not a service without rules.
			return nil, fmt.Errorf("no such service: %s", name)
		}
		if s.Develop != nil && len(s.Develop.Watch) > 0 {
			named = append(named, name)
		}
	}
	if len(services) > 0 && len(named) == 0 {
		return nil, fmt.Errorf("--watch: none of %s has develop.watch rules", strings.Join(services, ", "))
	}
	watched, err := devloop.Check(p, named)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) func() {
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			docker, err := mobydocker.New(g.log)
			if err == nil {
				defer docker.Close()
				err = watchLoop(ctx, g.stderr, docker, engine.New(docker, g.log, nil), p, watched, "plain")
			}
			if err != nil && ctx.Err() == nil {
				fmt.Fprintln(g.stderr, "error: watch: "+err.Error())
			}
		}()
		return func() { cancel(); <-done }
	}, nil
}
