// Command stack runs declarative multi-container dev stacks against the
// Docker Engine: stack up, ps, logs, scale, down.
//
// Output rules: results (tables, JSON, config) go to stdout; progress,
// warnings and errors go to stderr. Errors are one lowercase line, a hint on
// the next; invalid stack files exit 2, other failures 1.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/spf13/cobra"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dryrun"
	"github.com/stack-dev/stack/engine/mobydocker"
	"github.com/stack-dev/stack/internal/ui"
	"github.com/stack-dev/stack/spec"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

// globalOptions are the flags every command shares.
type globalOptions struct {
	Files       []string
	ProjectName string
	Profiles    []string
	EnvFiles    []string
	VarFiles    []string
	Vars        []string // name=value
	LogLevel    string
	Progress    string
	ProjectDir  string

	composeGlobals

	stdout, stderr io.Writer
	log            *zap.Logger
	// loaded is the stack file loadProject last loaded (nil: none).
	loaded *spec.Project
	// noInterpolate and noConsistency are config's --no-interpolate and
	// --no-consistency, for the load.
	noInterpolate, noConsistency bool
	// strayVerb is the mistyped verb's error when cobra showed the root's
	// help for it instead (stack dwon --help).
	strayVerb error
}

// exitError carries a specific exit code (e.g. --exit-code-from).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit code %d", e.code) }

func main() {
	g := &globalOptions{stdout: os.Stdout, stderr: os.Stderr}
	root := newRootCmd(g)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	err := root.ExecuteContext(ctx)
	if err == nil {
		err = g.strayVerb
	}
	os.Exit(exitCode(g, err))
}

func exitCode(g *globalOptions, err error) int {
	if err == nil {
		return 0
	}
	var exit exitError
	if errors.As(err, &exit) {
		return exit.code
	}
	var specErr *spec.Error
	if errors.As(err, &specErr) {
		specErr.Write(g.stderr, ui.ColorEnabled(g.stderr), uint(ui.Width(g.stderr)))
		return 2
	}
	fmt.Fprintln(g.stderr, "error: "+err.Error())
	return 1
}

func newRootCmd(g *globalOptions) *cobra.Command {
	var showVersion bool
	root := &cobra.Command{
		Use:           "stack",
		Short:         "Run declarative multi-container dev stacks on Docker",
		SilenceUsage:  true,
		SilenceErrors: true,
		// Global flags before the command are the root's, so `stack -f
		// x.hcl logs -f` reads the first -f as the file and the second as
		// logs' --follow, as in Docker Compose.
		TraverseChildren: true,
		// Strict, as scripts need: an unknown verb is an error with
		// cobra's suggestion, not the help text and exit 0.
		Args: unknownCommand,
		RunE: func(cmd *cobra.Command, args []string) error {
			if showVersion {
				fmt.Fprintf(g.stdout, "stack version %s\n", Version)
				return nil
			}
			return cmd.Help()
		},
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if err := g.applyEnv(cmd.Flags(), cmd.Root().PersistentFlags()); err != nil {
				return err
			}
			if err := g.applyComposeGlobals(cmd); err != nil {
				return err
			}
			log, err := newLogger(g.LogLevel, g.stderr)
			if err != nil {
				return err
			}
			g.log = log
			return nil
		},
	}
	f := root.PersistentFlags()
	f.StringArrayVarP(&g.Files, "file", "f", nil, "stack file (default: "+strings.Join(spec.DefaultFiles, ", ")+")")
	f.StringVarP(&g.ProjectName, "project-name", "p", "", "project name (default: the stack's name or its folder)")
	f.StringVar(&g.ProjectDir, "project-directory", "", "folder for the stack file search, the default project name and relative paths in compose files; HCL paths are relative to their own file (default: the stack file's folder)")
	f.StringArrayVar(&g.Profiles, "profile", nil, "enable services of this profile (repeatable; * for all)")
	f.StringArrayVar(&g.EnvFiles, "env-file", nil, "environment file for compose interpolation (default .env)")
	f.StringArrayVar(&g.VarFiles, "var-file", nil, "HCL variable values file (repeatable)")
	f.StringArrayVar(&g.Vars, "var", nil, "HCL variable value name=value (repeatable)")
	f.StringVar(&g.LogLevel, "log-level", "warn", "log level: debug, info, warn, error")
	f.StringVar(&g.Progress, "progress", ui.ModeAuto, "progress output: auto, tty, plain, json, quiet")
	addComposeGlobals(f, g)
	root.AddCommand(commands(g)...)
	// --version, as docker compose has it; `stack version` also asks the
	// engine. The root's RunE prints it, after the check for a mistyped
	// verb: cobra's own --version answered `stack dwon -v` with the version
	// and exit 0.
	root.Flags().BoolVarP(&showVersion, "version", "v", false, "version for stack")
	root.SetHelpCommand(newHelpCmd(root))
	// `stack dwon --help` is the mistyped verb's error, not the root's help
	// and exit 0 (cobra shows help before it checks the arguments).
	help := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		if c == root {
			if stray := c.Flags().Args(); len(stray) > 0 {
				g.strayVerb = unknownCommand(root, stray)
				return
			}
		}
		help(c, args)
	})
	registerCompletions(root, g)
	return root
}

// commands lists every subcommand; each lives in its own cmd_<verb>.go.
func commands(g *globalOptions) []*cobra.Command {
	return []*cobra.Command{
		newUpCmd(g),
		newDownCmd(g),
		newPsCmd(g),
		newLogsCmd(g),
		newStopCmd(g),
		newStartCmd(g),
		newRestartCmd(g),
		newScaleCmd(g),
		newPlanCmd(g),
		newBuildCmd(g),
		newPullCmd(g),
		newPushCmd(g),
		newEventsCmd(g),
		newConfigCmd(g),
		newLintCmd(g),
		newConvertCmd(g),
		newGraphCmd(g),
		newVersionCmd(g),
		newExecCmd(g),
		newRunCmd(g),
		newKillCmd(g),
		newPauseCmd(g),
		newUnpauseCmd(g),
		newRmCmd(g),
		newTopCmd(g),
		newImagesCmd(g),
		newVolumesCmd(g),
		newCpCmd(g),
		newExportCmd(g),
		newCommitCmd(g),
		newStatsCmd(g),
		newAttachCmd(g),
		newPublishCmd(g),
		newCreateCmd(g),
		newReapCmd(g),
		newPortCmd(g),
		newLsCmd(g),
		newWaitCmd(g),
		newDeployCmd(g),
		newUndeployCmd(g),
		newWatchCmd(g),
		newDashboardCmd(g),
	}
}

func newLogger(level string, w io.Writer) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	cfg := zap.NewDevelopmentEncoderConfig()
	cfg.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05.000")
	if !ui.ColorEnabled(w) {
		cfg.EncodeLevel = zapcore.CapitalLevelEncoder
	}
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(cfg), zapcore.AddSync(w), lvl)
	return zap.New(core), nil
}

// loadOptions are the spec.LoadOptions the global flags describe.
func (g *globalOptions) loadOptions() (spec.LoadOptions, error) {
	vars := map[string]string{}
	for _, kv := range g.Vars {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return spec.LoadOptions{}, fmt.Errorf("--var %q: want name=value", kv)
		}
		vars[name] = value
	}
	// A name given by hand is used as it is or refused, as in Compose:
	// quietly changing it would select another project's containers.
	if g.ProjectName != "" && spec.NormalizeProjectName(g.ProjectName) != g.ProjectName {
		return spec.LoadOptions{}, fmt.Errorf("-p %q: a project name has only lowercase letters, digits, - and _, and starts with a letter or digit", g.ProjectName)
	}
	workingDir := g.ProjectDir
	if len(g.Files) == 0 && workingDir == "" {
		// No stack file here: the nearest parent folder with one, as in
		// Compose.
		if dir := findInParents(spec.LoadOptions{}); dir != "" {
			if wd, _ := os.Getwd(); dir != wd {
				workingDir = dir
			}
		}
	}
	return spec.LoadOptions{
		Files:       g.Files,
		WorkingDir:  workingDir,
		ProjectName: g.ProjectName,
		Profiles:    g.Profiles,
		EnvFiles:    g.EnvFiles,
		VarFiles:    g.VarFiles,
		Vars:        vars,

		NoInterpolate: g.noInterpolate,
		NoConsistency: g.noConsistency,
	}, nil
}

// loadProject loads and validates the stack and prints its warnings. A
// service named on the command line has its profiles enabled, as in Docker
// Compose: `stack up debug-tools` starts it without --profile.
func (g *globalOptions) loadProject(services ...string) (*spec.Project, error) {
	opts, err := g.loadOptions()
	if err != nil {
		return nil, err
	}
	opts.Services = services
	p, err := spec.LoadServices(opts, services...)
	if err != nil {
		return nil, err
	}
	for _, w := range p.Warnings {
		fmt.Fprintln(g.stderr, "warning: "+w.String())
	}
	g.loaded = p
	return p, nil
}

// projectName names the project for commands that work from labels alone
// (ps, logs, down, stop): -p if given, else the stack file's name. With -p
// and no stack file around, the file is not needed.
func (g *globalOptions) projectName() (string, *spec.Project, error) {
	if g.ProjectName != "" && len(g.Files) == 0 {
		opts, err := g.loadOptions()
		if err != nil {
			return "", nil, err
		}
		if _, err := spec.FindFiles(opts); err != nil {
			return opts.ProjectName, nil, nil
		}
	}
	p, err := g.loadProject()
	if err != nil {
		return "", nil, err
	}
	return p.Name, p, nil
}

// stackEngine is what the commands that need the stack file start with:
// the loaded stack and an engine. done ends the progress display.
func (g *globalOptions) stackEngine(services ...string) (p *spec.Project, e *engine.Engine, done func(), err error) {
	p, err = g.loadProject(services...)
	if err != nil {
		return nil, nil, nil, err
	}
	e, done, err = g.newEngine()
	if err != nil {
		return nil, nil, nil, err
	}
	return p, e, done, nil
}

// projectEngine is what the commands that work from labels alone start
// with: the project's name (and its stack, when there is a file) and an
// engine. done ends the progress display.
func (g *globalOptions) projectEngine() (project string, p *spec.Project, e *engine.Engine, done func(), err error) {
	project, p, err = g.projectName()
	if err != nil {
		return "", nil, nil, nil, err
	}
	e, done, err = g.newEngine()
	if err != nil {
		return "", nil, nil, nil, err
	}
	return project, p, e, done, nil
}

// serviceEngine is projectEngine for a command that takes service names:
// each must be in the stack file or have containers, since a typo would
// otherwise select nothing and succeed.
func (g *globalOptions) serviceEngine(ctx context.Context, services []string) (project string, e *engine.Engine, done func(), err error) {
	project, p, e, done, err := g.projectEngine()
	if err != nil {
		return "", nil, nil, err
	}
	if err := g.checkServices(ctx, project, p, e, services); err != nil {
		done()
		return "", nil, nil, err
	}
	return project, e, done, nil
}

// checkServices refuses a service name that is neither in the stack file p
// (which may be nil) nor has containers in the project.
func (g *globalOptions) checkServices(ctx context.Context, project string, p *spec.Project, e *engine.Engine, services []string) error {
	var observed map[string]bool
	for _, name := range services {
		if p != nil && (p.Services[name] != nil || p.Disabled[name] != nil) {
			continue
		}
		if observed == nil {
			var err error
			if observed, err = e.ServiceNames(ctx, project); err != nil {
				return err
			}
		}
		if !observed[name] {
			if info, statErr := os.Stat(name); statErr == nil && !info.IsDir() {
				// `stack logs -f stack.hcl`: -f after the command is not --file.
				return fmt.Errorf("no such service: %s (a file? give the stack file before the command: stack -f %s ...)", name, name)
			}
			return fmt.Errorf("no such service: %s", name)
		}
	}
	return nil
}

// newEngine connects to Docker and returns an engine whose progress goes to
// stderr in the --progress mode. done ends the progress display; calling it
// again does nothing. The client lives as long as the process.
func (g *globalOptions) newEngine() (e *engine.Engine, done func(), err error) {
	docker, err := mobydocker.New(g.log)
	if err != nil {
		return nil, nil, err
	}
	if g.DryRun {
		return g.withProgress(engine.New(dryrun.New(docker, g.stderr), g.log, nil))
	}
	return g.withProgress(engine.New(docker, g.log, nil))
}

// withProgress returns e reporting to a new progress display, and the
// function that ends it.
func (g *globalOptions) withProgress(e *engine.Engine) (*engine.Engine, func(), error) {
	mode, err := ui.ResolveMode(g.Progress, g.stderr)
	if err != nil {
		return nil, nil, err
	}
	progress := ui.NewProgress(g.stderr, mode)
	return e.WithReporter(progress.Report), sync.OnceFunc(progress.Close), nil
}

// interrupts returns a context canceled on the first Ctrl-C, and a channel
// that receives every later one.
func interrupts(parent context.Context) (context.Context, <-chan os.Signal, func()) {
	ctx, cancel := context.WithCancel(parent)
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt)
	more := make(chan os.Signal, 4)
	go func() {
		first := true
		for s := range sigs {
			if first {
				first = false
				cancel()
				continue
			}
			more <- s
		}
	}()
	return ctx, more, func() {
		signal.Stop(sigs)
		cancel()
	}
}

// relPath shortens path for messages, relative to the current folder.
func relPath(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}
