package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/stack-dev/stack/spec"
)

// composeGlobals are the global flags Compose users type, beside stack's
// own, and what the COMPOSE_* variables set.
type composeGlobals struct {
	Ansi          string
	Parallel      int
	DryRun        bool
	Compatibility bool
	Verbose       bool
	AllResources  bool
	// RemoveOrphans is COMPOSE_REMOVE_ORPHANS: up and down remove orphans
	// as with --remove-orphans.
	RemoveOrphans bool
}

// addComposeGlobals adds Compose's global flags to the root's flags.
func addComposeGlobals(f *pflag.FlagSet, g *globalOptions) {
	f.StringVar(&g.Ansi, "ansi", "auto", "control characters in the output: never, always, auto")
	f.IntVar(&g.Parallel, "parallel", 0, "container operations in flight at once (default 8)")
	f.BoolVar(&g.DryRun, "dry-run", false, "print what would change and change nothing (up, down, and the verbs that change containers)")
	f.BoolVar(&g.Compatibility, "compatibility", false, "accepted for Docker Compose scripts; stack names containers as Compose v2 does either way")
	f.BoolVar(&g.Verbose, "verbose", false, "show more output: the same as --log-level debug")
	f.BoolVar(&g.AllResources, "all-resources", false, "accepted for Docker Compose scripts; stack creates the resources its services use")
}

// envVar is one setting read from the environment: STACK_<name> before
// COMPOSE_<name>, the process's environment before the .env file's. An
// empty value counts as unset.
func envVar(dotEnv map[string]string, name string) (string, bool) {
	for _, key := range []string{"STACK_" + name, "COMPOSE_" + name} {
		if v := os.Getenv(key); v != "" {
			return v, true
		}
	}
	for _, key := range []string{"STACK_" + name, "COMPOSE_" + name} {
		if v := dotEnv[key]; v != "" {
			return v, true
		}
	}
	return "", false
}

// applyEnv fills the global options the command line left unset from the
// STACK_* and COMPOSE_* variables (COMPOSE_FILE, COMPOSE_PROJECT_NAME,
// COMPOSE_PROFILES, COMPOSE_ENV_FILES, COMPOSE_REMOVE_ORPHANS,
// COMPOSE_PARALLEL_LIMIT, COMPOSE_ANSI, COMPOSE_PROGRESS), read from the
// environment and from the .env file (or --env-file), as Compose does.
func (g *globalOptions) applyEnv(flags, root *pflag.FlagSet) error {
	changed := func(name string) bool {
		for _, fs := range []*pflag.FlagSet{flags, root} {
			if f := fs.Lookup(name); f != nil && f.Changed {
				return true
			}
		}
		return false
	}
	if !changed("env-file") {
		if v, ok := envVar(nil, "ENV_FILES"); ok && v != "" {
			g.EnvFiles = strings.Split(v, ",")
		}
	}
	dotEnv, err := g.readDotEnv()
	if err != nil {
		return err
	}
	if v, ok := envVar(dotEnv, "FILE"); ok && v != "" && !changed("file") {
		sep := string(os.PathListSeparator)
		if s, ok := envVar(dotEnv, "PATH_SEPARATOR"); ok && s != "" {
			sep = s
		}
		g.Files = strings.Split(v, sep)
	}
	if v, ok := envVar(dotEnv, "PROJECT_NAME"); ok && v != "" && !changed("project-name") {
		g.ProjectName = v
	}
	if v, ok := envVar(dotEnv, "PROFILES"); ok && v != "" && !changed("profile") {
		g.Profiles = strings.Split(v, ",")
	}
	if v, ok := envVar(dotEnv, "REMOVE_ORPHANS"); ok {
		g.RemoveOrphans, _ = strconv.ParseBool(v)
	}
	if v, ok := envVar(dotEnv, "PARALLEL_LIMIT"); ok && !changed("parallel") {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("COMPOSE_PARALLEL_LIMIT %q: want a number of 1 or more", v)
		}
		g.Parallel = n
	}
	if v, ok := envVar(dotEnv, "ANSI"); ok && !changed("ansi") {
		g.Ansi = v
	}
	if v, ok := envVar(dotEnv, "PROGRESS"); ok && !changed("progress") {
		g.Progress = v
	}
	return nil
}

// readDotEnv reads the --env-file files, or the .env of the project
// folder when there is one.
func (g *globalOptions) readDotEnv() (map[string]string, error) {
	files := g.EnvFiles
	if len(files) == 0 {
		dir := g.ProjectDir
		if dir == "" {
			dir = "."
		}
		def := filepath.Join(dir, ".env")
		if info, err := os.Stat(def); err != nil || info.IsDir() {
			return nil, nil
		}
		files = []string{def}
	}
	env, err := dotenv.GetEnvFromFile(map[string]string{}, files)
	if err != nil {
		return nil, fmt.Errorf("env file: %w", err)
	}
	return env, nil
}

// applyComposeGlobals acts on the global flags before any command runs.
func (g *globalOptions) applyComposeGlobals(cmd *cobra.Command) error {
	switch g.Ansi {
	case "never":
		os.Setenv("NO_COLOR", "1")
	case "always":
		os.Unsetenv("NO_COLOR")
		os.Setenv("CLICOLOR_FORCE", "1")
	case "auto", "":
	default:
		return fmt.Errorf("--ansi %q: want never, always or auto", g.Ansi)
	}
	if g.Parallel < 0 {
		return errors.New("--parallel: want 1 or more")
	}
	if g.Verbose {
		g.LogLevel = "debug"
	}
	if g.Compatibility {
		fmt.Fprintln(g.stderr, "note: --compatibility changes nothing: stack names containers project-service-N, as Compose v2 does")
	}
	return nil
}

// findInParents looks for a stack file in the current folder and then each
// parent, as Compose does, and returns the folder it is in ("" if none).
func findInParents(opts spec.LoadOptions) string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		opts.WorkingDir = dir
		if _, err := spec.FindFiles(opts); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// lookupEnv finds a variable in the environment, else in the .env file
// (or --env-file).
func (g *globalOptions) lookupEnv(key string) (string, bool) {
	if v, ok := os.LookupEnv(key); ok {
		return v, true
	}
	dotEnv, err := g.readDotEnv()
	if err != nil {
		return "", false
	}
	v, ok := dotEnv[key]
	return v, ok
}
