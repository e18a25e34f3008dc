// Package provider runs provider services with Docker Compose's provider
// protocol: a service with `provider: {type: T, options: ...}` is managed
// by the binary T (a Docker CLI plugin docker-T, or T on PATH), called as
//
//	T compose --project-name=P up --key=value... SERVICE
//	T compose --project-name=P down --key=value... SERVICE
//	T compose --project-name=P stop --key=value... SERVICE (if T declares stop)
//
// which answers with JSON lines on stdout: {"type": "info"|"error"|
// "setenv"|"rawsetenv"|"debug", "message": "..."}. The variables of
// setenv messages reach the services that depend on the provider service,
// prefixed with its name in upper case (DATABASE_URL from URL of service
// database); rawsetenv variables reach them as they are. A binary that
// answers `T compose metadata` with its parameters gets only the options
// it declares, and a missing required one is an error, as in Compose.
package provider

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/stack-dev/stack/spec"
)

// Message types of the protocol.
const (
	TypeInfo      = "info"
	TypeError     = "error"
	TypeSetEnv    = "setenv"
	TypeRawSetEnv = "rawsetenv"
	TypeDebug     = "debug"
)

// Message is one JSON line a provider printed.
type Message struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// Vars are what a provider's up told its dependents.
type Vars struct {
	Prefixed map[string]string // from setenv, before the SERVICE_ prefix
	Raw      map[string]string // from rawsetenv
}

// Env returns the variables as a dependent gets them.
func (v Vars) Env(service string) map[string]string {
	out := map[string]string{}
	prefix := EnvPrefix(service)
	for k, val := range v.Prefixed {
		out[prefix+k] = val
	}
	for k, val := range v.Raw {
		out[k] = val
	}
	return out
}

// EnvPrefix is the prefix of a provider service's setenv variables:
// its name in upper case and an underscore, as Compose makes it.
func EnvPrefix(service string) string {
	return strings.ToUpper(service) + "_"
}

// Service is the engine's door to provider binaries, implemented by Runner
// (the real binaries) and providerfake.Fake (in memory); both pass the
// conformance suite in package providertest.
type Service interface {
	// Up runs `compose up` for service s of project and returns the
	// variables it set; report receives its info, error and debug messages.
	Up(ctx context.Context, project string, s *spec.Service, report func(Message)) (Vars, error)
	// Down runs `compose down` for service s of project.
	Down(ctx context.Context, project string, s *spec.Service, report func(Message)) error
	// Stop runs `compose stop` for service s of project when the provider
	// declares it supports stop (in its metadata); else it does nothing.
	Stop(ctx context.Context, project string, s *spec.Service, report func(Message)) error
}

var _ Service = (*Runner)(nil)

// Runner runs provider binaries.
type Runner struct {
	// Environ is the environment of the provider processes (os.Environ()
	// when nil).
	Environ []string
	// LookPath finds a provider's binary; nil means Find.
	LookPath func(typ string) (string, error)
}

// Up runs `compose up` for service s of project and returns the variables
// it set. report receives every info, error and debug message.
func (r *Runner) Up(ctx context.Context, project string, s *spec.Service, report func(Message)) (Vars, error) {
	return r.run(ctx, project, s, "up", report)
}

// Down runs `compose down` for service s of project.
func (r *Runner) Down(ctx context.Context, project string, s *spec.Service, report func(Message)) error {
	_, err := r.run(ctx, project, s, "down", report)
	return err
}

// Stop runs `compose stop` for service s of project, only if the binary's
// metadata has a stop block: stop is opt-in, as in Compose. Its setenv
// messages are ignored.
func (r *Runner) Stop(ctx context.Context, project string, s *spec.Service, report func(Message)) error {
	if s.Provider == nil {
		return fmt.Errorf("service %s has no provider", s.Name)
	}
	look := r.LookPath
	if look == nil {
		look = Find
	}
	bin, err := look(s.Provider.Type)
	if err != nil {
		return fmt.Errorf("service %s: provider %q: %w", s.Name, s.Provider.Type, err)
	}
	if r.metadata(ctx, bin).Stop == nil {
		return nil
	}
	_, err = r.run(ctx, project, s, "stop", report)
	return err
}

func (r *Runner) run(ctx context.Context, project string, s *spec.Service, command string, report func(Message)) (Vars, error) {
	if s.Provider == nil {
		return Vars{}, fmt.Errorf("service %s has no provider", s.Name)
	}
	if report == nil {
		report = func(Message) {}
	}
	look := r.LookPath
	if look == nil {
		look = Find
	}
	bin, err := look(s.Provider.Type)
	if err != nil {
		return Vars{}, fmt.Errorf("service %s: provider %q: %w", s.Name, s.Provider.Type, err)
	}
	args, err := r.args(ctx, bin, project, s, command)
	if err != nil {
		return Vars{}, fmt.Errorf("service %s: %w", s.Name, err)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = r.environ()
	var stderr tailBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Vars{}, err
	}
	if err := cmd.Start(); err != nil {
		return Vars{}, fmt.Errorf("service %s: run provider %s: %w", s.Name, bin, err)
	}
	vars, readErr := read(stdout, report)
	if readErr != nil {
		// Compose stops listening at the first error; so does stack,
		// after letting the binary go.
		_, _ = io.Copy(io.Discard, stdout)
	}
	waitErr := cmd.Wait()
	if readErr != nil {
		return Vars{}, fmt.Errorf("service %s: provider %s %s: %w", s.Name, s.Provider.Type, command, readErr)
	}
	if waitErr != nil {
		action := map[string]string{"up": "create", "down": "remove", "stop": "stop"}[command]
		err := fmt.Errorf("service %s: failed to %s service provider: %w", s.Name, action, waitErr)
		if tail := stderr.String(); tail != "" {
			err = fmt.Errorf("%w: %s", err, tail)
		}
		return Vars{}, err
	}
	return vars, nil
}

// read decodes the provider's JSON lines until EOF or an error message.
func read(r io.Reader, report func(Message)) (Vars, error) {
	vars := Vars{Prefixed: map[string]string{}, Raw: map[string]string{}}
	dec := json.NewDecoder(r)
	for {
		var m Message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return vars, nil
		}
		if err != nil {
			return Vars{}, fmt.Errorf("invalid response from provider: %w", err)
		}
		switch m.Type {
		case TypeError:
			report(m)
			return Vars{}, errors.New(m.Message)
		case TypeInfo, TypeDebug:
			report(m)
		case TypeSetEnv, TypeRawSetEnv:
			k, v, ok := strings.Cut(m.Message, "=")
			if !ok {
				return Vars{}, fmt.Errorf("invalid response from provider: %s", m.Message)
			}
			if m.Type == TypeSetEnv {
				vars.Prefixed[k] = v
			} else {
				vars.Raw[k] = v
			}
		default:
			return Vars{}, fmt.Errorf("invalid response from provider: %s", m.Type)
		}
	}
}

// args builds the command line, with the options the binary's metadata
// declares for command (all of them when it declares none).
func (r *Runner) args(ctx context.Context, bin, project string, s *spec.Service, command string) ([]string, error) {
	md := r.metadata(ctx, bin)
	params := md.params(command)
	if !md.empty() {
		for _, p := range params {
			if _, ok := s.Provider.Options[p.Name]; p.Required && !ok {
				return nil, fmt.Errorf("required parameter %q is missing from provider %q definition", p.Name, s.Provider.Type)
			}
		}
	}
	args := []string{"compose", "--project-name=" + project, command}
	keys := make([]string, 0, len(s.Provider.Options))
	for k := range s.Provider.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !md.empty() && !declared(params, k) {
			continue
		}
		for _, v := range s.Provider.Options[k] {
			args = append(args, "--"+k+"="+v)
		}
	}
	return append(args, s.Name), nil
}

// metadata is what `T compose metadata` says; a binary that does not
// answer it, or not with JSON, has none.
type metadata struct {
	Description string    `json:"description"`
	Up          commandM  `json:"up"`
	Down        commandM  `json:"down"`
	Stop        *commandM `json:"stop,omitempty"`
}

type commandM struct {
	Parameters []param `json:"parameters"`
}

type param struct {
	Name     string `json:"name"`
	Required bool   `json:"required"`
}

func (m metadata) empty() bool {
	return m.Description == "" && m.Up.Parameters == nil && m.Down.Parameters == nil
}

func (m metadata) params(command string) []param {
	switch command {
	case "down":
		return m.Down.Parameters
	case "stop":
		if m.Stop != nil {
			return m.Stop.Parameters
		}
		return nil
	}
	return m.Up.Parameters
}

func declared(params []param, name string) bool {
	for _, p := range params {
		if p.Name == name {
			return true
		}
	}
	return false
}

func (r *Runner) metadata(ctx context.Context, bin string) metadata {
	cmd := exec.CommandContext(ctx, bin, "compose", "metadata")
	cmd.Env = r.environ()
	out, err := cmd.Output()
	var md metadata
	if err != nil || json.Unmarshal(out, &md) != nil {
		return metadata{}
	}
	return md
}

func (r *Runner) environ() []string {
	if r.Environ != nil {
		return r.Environ
	}
	return os.Environ()
}

// Find finds provider typ as Compose does: a Docker CLI plugin docker-typ
// first (in $DOCKER_CONFIG/cli-plugins, ~/.docker/cli-plugins, then the
// system plugin folders), else typ on PATH.
func Find(typ string) (string, error) {
	if typ == "" || strings.ContainsRune(typ, filepath.Separator) {
		return "", fmt.Errorf("invalid provider type %q", typ)
	}
	for _, dir := range pluginDirs() {
		p := filepath.Join(dir, "docker-"+typ)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	p, err := exec.LookPath(typ)
	if err != nil {
		return "", fmt.Errorf("no Docker CLI plugin docker-%s and no %s on PATH", typ, typ)
	}
	return p, nil
}

func pluginDirs() []string {
	var dirs []string
	if d := os.Getenv("DOCKER_CONFIG"); d != "" {
		dirs = append(dirs, filepath.Join(d, "cli-plugins"))
	} else if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".docker", "cli-plugins"))
	}
	return append(dirs,
		"/usr/local/lib/docker/cli-plugins", "/usr/local/libexec/docker/cli-plugins",
		"/usr/lib/docker/cli-plugins", "/usr/libexec/docker/cli-plugins")
}

// tailBuffer keeps the last lines of a provider's stderr for its error.
type tailBuffer struct {
	lines []string
	part  bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.part.Write(p)
	sc := bufio.NewScanner(bytes.NewReader(t.part.Bytes()))
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if b := t.part.Bytes(); len(b) > 0 && b[len(b)-1] != '\n' && len(lines) > 0 {
		rest := lines[len(lines)-1]
		lines = lines[:len(lines)-1]
		t.part.Reset()
		t.part.WriteString(rest)
	} else {
		t.part.Reset()
	}
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		t.lines = append(t.lines, l)
		if len(t.lines) > 10 {
			t.lines = t.lines[1:]
		}
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	lines := t.lines
	if s := strings.TrimSpace(t.part.String()); s != "" {
		lines = append(lines, s)
	}
	return strings.Join(lines, "\n")
}
