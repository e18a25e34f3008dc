package spec

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// loadCompose loads compose files through compose-go, with Compose's own
// interpolation, .env, profiles, extends, include and multi-file merge, and
// maps the result into the model. Keys the model does not honor become
// warnings or errors (see compose_unsupported.go), never silently dropped.
func loadCompose(opts LoadOptions) (*Project, error) {
	if err := composeTopLevels(opts.Files); err != nil {
		return nil, err
	}
	index := indexComposeFiles(opts.Files)
	var findings []loader.UnsupportedAttribute
	popts, err := cli.NewProjectOptions(opts.Files,
		cli.WithWorkingDirectory(opts.WorkingDir),
		cli.WithEnv(opts.Environ),
		cli.WithEnvFiles(opts.EnvFiles...),
		cli.WithDotEnv,
		cli.WithDefaultProfiles(opts.Profiles...),
		cli.WithName(opts.ProjectName),
		cli.WithResolvedPaths(true),
		cli.WithDiscardEnvFile,
		cli.WithLoadOptions(
			loader.WithUnsupportedAttributesCheck(unsupportedComposePatterns(), nil),
			func(o *loader.Options) { o.SkipResolveEnvironment = true }, // compose_env.go
			func(o *loader.Options) {
				o.SkipInterpolation = opts.NoInterpolate
				o.SkipConsistencyCheck = opts.NoConsistency
			},
			loader.WithSupportedAttributes(supportedComposePaths(), func(found []loader.UnsupportedAttribute) {
				findings = found
			}),
		),
	)
	if err != nil {
		return nil, composeError(opts.Files, index, err)
	}
	release := captureComposeLogs(opts.Files)
	cp, err := loadComposeProject(popts)
	if err == nil {
		cp, err = resolveComposeEnvironments(cp, opts.Services)
	}
	logged := release()
	if err != nil {
		return nil, composeError(opts.Files, index, err)
	}
	warnings, errs := classifyUnsupported(findings, index)
	if len(errs) > 0 {
		return nil, &Error{Diags: append(errs, warnings...)}
	}
	if len(cp.Services)+len(cp.DisabledServices) == 0 {
		return nil, noComposeServices(opts.Files, index)
	}
	p, err := fromComposeProject(cp, opts.Files, index)
	if err != nil {
		return nil, err
	}
	p.Warnings = append(p.Warnings, logged...)
	p.Warnings = append(p.Warnings, warnings...)
	return p, nil
}

// loadComposeProject runs compose-go's loader. Some malformed files make it
// panic (a list item whose key is left empty, found by fuzzing); that is
// turned into an error, so a bad file never crashes stack.
func loadComposeProject(popts *cli.ProjectOptions) (cp *types.Project, err error) {
	defer func() {
		if r := recover(); r != nil {
			cp, err = nil, fmt.Errorf("compose-go failed on this file (%v); look for a key or list item left empty or of the wrong type", r)
		}
	}()
	return popts.LoadProject(context.Background())
}

// noComposeServices is the error for compose files that declare no
// service, at the services key when there is one.
func noComposeServices(files []string, index *composeIndex) *Error {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = filepath.Base(f)
	}
	d := Diagnostic{Pos: Pos{File: files[0]}, KeyPath: "services", Summary: "no services in " + strings.Join(names, ", ")}
	if pos, ok := index.lookup("services"); ok {
		d.Pos = pos
	}
	return &Error{Diags: []Diagnostic{d}}
}

// composeKeyPath finds the dotted key path compose-go puts at the start of
// its validation messages ("services.web.ports.0 must be a string").
var composeKeyPath = regexp.MustCompile(`^((?:services|networks|volumes|secrets|configs|include|models|name)(?:\.[^\s.:]+)*)[\s:]`)

// Other shapes of compose-go messages that name a key.
var (
	decodePath      = regexp.MustCompile(`'(services)\[([^\]]+)\]((?:\.[^\s.']+)*)'\s*`)
	serviceRefers   = regexp.MustCompile(`^service "([^"]+)" refers to undefined (network|volume|secret|config) `)
	serviceDepends  = regexp.MustCompile(`^service "([^"]+)" depends on undefined service`)
	serviceMessage  = regexp.MustCompile(`^service "([^"]+)" `)
	yamlLine        = regexp.MustCompile(`line (\d+)`)
	trailingToken   = regexp.MustCompile(`: ([^\s:]+)$`)
	decodingPreface = "decoding failed due to the following error(s):"
)

// composeError turns a compose-go load error into an *Error naming the file
// and, when the message carries one, the key path and its line.
func composeError(files []string, index *composeIndex, err error) error {
	msg := err.Error()
	file := files[0]
	for _, f := range files {
		if rest, ok := strings.CutPrefix(msg, f+": "); ok {
			file, msg = f, rest
		}
	}
	if rest, ok := strings.CutPrefix(msg, "validating "); ok {
		if f, tail, ok := strings.Cut(rest, ": "); ok {
			file, msg = f, tail
		}
	}
	msg = strings.TrimSpace(strings.TrimPrefix(msg, decodingPreface))
	msg = strings.TrimPrefix(msg, "error while interpolating ")
	msg = strings.TrimSuffix(msg, ": invalid compose project")
	d := Diagnostic{Pos: Pos{File: file}}
	switch {
	case composeKeyPath.MatchString(msg):
		m := composeKeyPath.FindStringSubmatch(msg)
		d.KeyPath = keyPathFromDotted(m[1])
		msg = strings.TrimLeft(strings.TrimPrefix(msg, m[1]), " :")
	case decodePath.MatchString(msg):
		m := decodePath.FindStringSubmatch(msg)
		d.KeyPath = keyPathFromDotted(m[1] + "." + m[2] + m[3])
		msg = strings.Replace(msg, m[0], "", 1)
	case serviceRefers.MatchString(msg):
		m := serviceRefers.FindStringSubmatch(msg)
		d.KeyPath = "services." + m[1] + "." + m[2] + "s"
		msg = strings.TrimPrefix(msg, `service "`+m[1]+`" `)
	case serviceDepends.MatchString(msg):
		m := serviceDepends.FindStringSubmatch(msg)
		d.KeyPath = "services." + m[1] + ".depends_on"
		msg = strings.TrimPrefix(msg, `service "`+m[1]+`" `)
	case serviceMessage.MatchString(msg):
		m := serviceMessage.FindStringSubmatch(msg)
		d.KeyPath = "services." + m[1]
		msg = strings.TrimPrefix(msg, `service "`+m[1]+`" `)
	case trailingToken.MatchString(msg):
		// "invalid hostPort: abc": find the key whose value holds abc.
		d.KeyPath = index.findValue(trailingToken.FindStringSubmatch(msg)[1])
	}
	if msg == "false schema" {
		msg = "unknown key"
	}
	d.Summary = lowerFirst(msg)
	if d.Summary == "" {
		d.Summary = "invalid"
	}
	if pos, ok := index.lookup(d.KeyPath); ok && d.KeyPath != "" {
		d.Pos = pos
	} else if strings.HasPrefix(msg, "yaml: ") {
		if m := yamlLine.FindAllStringSubmatch(msg, -1); m != nil {
			d.Pos.Line, _ = strconv.Atoi(m[len(m)-1][1])
		}
	}
	return &Error{Diags: []Diagnostic{d}}
}

// keyPathFromDotted writes list indices the way our messages do:
// "services.web.ports.0" -> "services.web.ports[0]".
func keyPathFromDotted(dotted string) string {
	parts := strings.Split(dotted, ".")
	var b strings.Builder
	for i, part := range parts {
		switch {
		case part == "[]":
			b.WriteString("[]")
		case isDigits(part) && i > 0:
			b.WriteString("[" + part + "]")
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(part)
		}
	}
	return b.String()
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
