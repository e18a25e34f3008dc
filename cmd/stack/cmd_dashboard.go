package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/dashboard"
	"github.com/stack-dev/stack/internal/ui"
	"github.com/stack-dev/stack/spec"
)

// dashboardOptions are the flags of `stack dashboard`.
type dashboardOptions struct {
	Addr   string
	NoOpen bool
}

func newDashboardCmd(g *globalOptions) *cobra.Command {
	var opts dashboardOptions
	cmd := &cobra.Command{
		Use:   "dashboard",
		Short: "Serve a live web dashboard of the running stacks",
		Long: `Serve a live web dashboard of the running stacks: services and replicas
with health, stack's own readiness probe, restart count and whether each
image is up to date with its build context; the dependency graph; logs,
with a failed container's last lines opened by themselves; the plan; and
actions (restart, stop, start, scale, up, down) whose progress streams in
as the CLI prints it. With a stack file (or -f/-p) it shows that stack, else
every stack on the engine. It listens on 127.0.0.1 and prints a URL with a
random token; Ctrl-C stops the dashboard, the stacks keep running.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDashboard(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:0", "address to listen on (another than loopback is reachable by others: a warning is printed)")
	cmd.Flags().BoolVar(&opts.NoOpen, "no-open", false, "only print the URL, do not open a browser")
	return cmd
}

func runDashboard(ctx context.Context, g *globalOptions, opts dashboardOptions) error {
	var model *spec.Project
	project := g.ProjectName
	if lo, err := g.loadOptions(); err != nil {
		return err
	} else if _, findErr := spec.FindFiles(lo); findErr == nil {
		if model, err = g.loadProject(); err != nil {
			return err
		}
	} else if len(g.Files) > 0 {
		return findErr
	}
	e, done, err := g.newEngine()
	if err != nil {
		return err
	}
	done() // progress of actions goes to the page, not the terminal
	if model == nil && project != "" {
		// -p without a stack file: a mistyped name would show an empty
		// page with nothing to say why.
		names, err := e.ServiceNames(ctx, project)
		if err != nil {
			return err
		}
		if len(names) == 0 {
			fmt.Fprintf(g.stderr, "note: no containers of project %s; the page shows them once it has some\nhint: `stack ls -a` lists the projects on the engine\n", project)
		}
	}
	srv, err := dashboard.New(dashboard.Options{Engine: e, Model: model, Project: project, Log: g.log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	if !addr.IP.IsLoopback() {
		fmt.Fprintf(g.stderr, "warning: the dashboard listens on %s, reachable from other machines; anyone with the token can run actions\n", addr)
		if host, _, err := net.SplitHostPort(opts.Addr); err == nil && host != "" {
			srv.AllowHost(host)
		}
	}
	shown := addr.String()
	if addr.IP.IsUnspecified() {
		shown = net.JoinHostPort("127.0.0.1", fmt.Sprint(addr.Port))
	}
	url := srv.URL(shown)
	fmt.Fprintln(g.stdout, url)
	fmt.Fprintln(g.stderr, "dashboard running; press Ctrl-C to stop it (the stacks keep running)")
	if !opts.NoOpen && ui.IsTerminal(g.stdout) {
		openBrowser(url)
	}
	ctx, _, stop := interrupts(ctx)
	defer stop()
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("dashboard: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	// Streams (events, logs) never end by themselves: end them first.
	srv.Close()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	hs.Close()
	return nil
}

// openBrowser opens url in the desktop's browser, if there is one; the URL
// is printed either way.
func openBrowser(url string) {
	name := "xdg-open"
	if runtime.GOOS == "darwin" {
		name = "open"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return
	}
	cmd := exec.Command(path, url)
	if cmd.Start() == nil {
		go cmd.Wait()
	}
}
