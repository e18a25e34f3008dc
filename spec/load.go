package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DefaultFiles is the search order for a stack file when -f is not given.
var DefaultFiles = []string{
	"stack.hcl",
	"compose.yaml",
	"compose.yml",
	"docker-compose.yaml",
	"docker-compose.yml",
}

// LoadOptions are the inputs of Load besides the files themselves.
type LoadOptions struct {
	// Files are the stack files, in order; empty means search WorkingDir
	// for DefaultFiles. Several compose files are merged as Compose does.
	Files []string
	// WorkingDir is where relative paths resolve and files are searched;
	// default the folder of the first file, or the current folder.
	WorkingDir string
	// ProjectName overrides the name in the file and the folder name.
	ProjectName string
	// Profiles enables services with these profiles ("*" enables all).
	Profiles []string
	// Environ is the environment used for interpolation and STACK_VAR_*;
	// nil means os.Environ().
	Environ []string
	// EnvFiles are compose --env-file files (default: .env if present).
	EnvFiles []string
	// VarFiles are HCL --var-file files, applied in order.
	VarFiles []string
	// Vars are --var name=value settings, the highest precedence.
	Vars map[string]string
	// NoInterpolate leaves ${VAR} in compose values as written, and
	// NoConsistency skips the checks across the file (undefined networks,
	// dependencies, ...): for `config` of a file in progress, as Compose's
	// --no-interpolate and --no-consistency. Neither is for running a stack.
	NoInterpolate bool
	NoConsistency bool
	// Services are the services named on the command line: a missing
	// env_file of a service neither they nor their dependencies need is
	// no error, as in Compose (empty: every service needs its files).
	Services []string
}

// Load reads the stack files, evaluates and validates them, and returns the
// model. Invalid input is an *Error.
func Load(opts LoadOptions) (*Project, error) {
	files, err := resolveFiles(opts)
	if err != nil {
		return nil, err
	}
	opts.Files = files
	if opts.WorkingDir == "" {
		opts.WorkingDir = filepath.Dir(files[0])
	}
	if opts.Environ == nil {
		opts.Environ = os.Environ()
	}
	var p *Project
	if isHCL(files[0]) {
		if opts.NoInterpolate || opts.NoConsistency {
			return nil, fmt.Errorf("%s: --no-interpolate and --no-consistency are for compose files; an HCL stack is evaluated as a whole", files[0])
		}
		if len(files) > 1 {
			return nil, fmt.Errorf("%s: several HCL files cannot be merged; compose stacks with an include block", files[1])
		}
		p, err = loadHCL(opts)
	} else {
		p, err = loadCompose(opts)
	}
	if err != nil {
		return nil, err
	}
	if opts.ProjectName != "" {
		p.Name = opts.ProjectName
	}
	normalize(p)
	p.Uninterpolated = opts.NoInterpolate
	if opts.NoConsistency {
		return p, nil
	}
	if err := Validate(p); err != nil {
		return nil, err
	}
	return p, nil
}

// FindFiles returns the stack files Load would read for opts.
func FindFiles(opts LoadOptions) ([]string, error) {
	return resolveFiles(opts)
}

func resolveFiles(opts LoadOptions) ([]string, error) {
	if len(opts.Files) > 0 {
		var out []string
		for _, f := range opts.Files {
			abs, err := filepath.Abs(f)
			if err != nil {
				return nil, err
			}
			if _, err := os.Stat(abs); err != nil {
				return nil, fmt.Errorf("stack file: %w", err)
			}
			out = append(out, abs)
		}
		return out, nil
	}
	dir := opts.WorkingDir
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		dir = wd
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for _, name := range DefaultFiles {
		f := filepath.Join(dir, name)
		if _, err := os.Stat(f); err == nil {
			return withComposeOverride(f), nil
		}
	}
	return nil, fmt.Errorf("no stack file in %s (looked for %s)", dir, strings.Join(DefaultFiles, ", "))
}

// isHCL tells HCL stack files from compose files by name: *.hcl, and
// examples and templates such as stack.hcl.example.
func isHCL(file string) bool {
	name := strings.ToLower(filepath.Base(file))
	return strings.HasSuffix(name, ".hcl") || strings.Contains(name, ".hcl.")
}

// NormalizeProjectName makes a Docker-safe project name from a folder name,
// as Compose does: lowercase, only [a-z0-9_-], starting with a letter or
// digit.
func NormalizeProjectName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		}
	}
	return strings.TrimLeft(b.String(), "_-")
}

// withComposeOverride adds compose.override.yaml (or the docker-compose
// variant) next to a found compose file, as Compose does when -f is not given.
func withComposeOverride(file string) []string {
	if isHCL(file) {
		return []string{file}
	}
	ext := filepath.Ext(file)
	override := strings.TrimSuffix(file, ext) + ".override" + ext
	if _, err := os.Stat(override); err == nil {
		return []string{file, override}
	}
	return []string{file}
}
