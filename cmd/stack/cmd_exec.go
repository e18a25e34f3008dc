package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/stack-dev/stack/engine"
)

type execOptions struct {
	NoTTY      bool
	User       string
	WorkingDir string
	Env        []string
	Index      int
}

func newExecCmd(g *globalOptions) *cobra.Command {
	var opts execOptions
	cmd := &cobra.Command{
		Use:   "exec [flags] SERVICE COMMAND [ARG...]",
		Short: "Run a command in a running service container",
		Long: `Run a command in a running container of a service (replica 1 unless
--index), with a TTY when stdin is a terminal (unless -T). The command's
exit code becomes stack's.`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExec(cmd.Context(), g, opts, args)
		},
	}
	f := cmd.Flags()
	// Flags after SERVICE belong to the command.
	f.SetInterspersed(false)
	f.BoolVarP(&opts.NoTTY, "no-tty", "T", false, "do not allocate a TTY, even when stdin is a terminal")
	f.StringVarP(&opts.User, "user", "u", "", "run as this user (name or uid[:gid])")
	f.StringVarP(&opts.WorkingDir, "workdir", "w", "", "working directory of the command")
	f.StringArrayVarP(&opts.Env, "env", "e", nil, "set an environment variable, KEY=value or KEY to pass ours (repeatable)")
	f.IntVar(&opts.Index, "index", 1, "replica of the service to run in")
	return cmd
}

func runExec(ctx context.Context, g *globalOptions, opts execOptions, args []string) error {
	if opts.Index < 1 {
		return fmt.Errorf("--index %d: want 1 or more", opts.Index)
	}
	env, err := envFlags(opts.Env)
	if err != nil {
		return err
	}
	p, e, done, err := g.stackEngine(args[0])
	if err != nil {
		return err
	}
	done()

	local := newLocalTerminal(g, !opts.NoTTY)
	execCtx, _, stopSignals := interrupts(ctx)
	defer stopSignals()
	restore, err := local.makeRaw()
	if err != nil {
		return err
	}
	defer restore()
	code, err := e.Exec(execCtx, p, engine.ServiceExecOptions{
		Service:    args[0],
		Index:      opts.Index,
		Cmd:        args[1:],
		User:       opts.User,
		WorkingDir: opts.WorkingDir,
		Env:        env,
		Streams:    local.streams,
	})
	restore()
	if err != nil {
		if execCtx.Err() != nil && ctx.Err() == nil {
			return exitError{code: exitInterrupted}
		}
		return err
	}
	if code != 0 {
		return exitError{code: code}
	}
	return nil
}

// exitInterrupted is the shell's exit code for a process ended by Ctrl-C.
const exitInterrupted = 130

// envFlags turns -e flags into KEY=value: a bare KEY takes our own value,
// and is left out when we have none, as Compose does.
func envFlags(flags []string) ([]string, error) {
	return envFlagsFrom(flags, os.LookupEnv)
}

// envFlagsFrom is envFlags with KEY's value from lookup.
func envFlagsFrom(flags []string, lookup func(string) (string, bool)) ([]string, error) {
	var env []string
	for _, kv := range flags {
		key, _, hasValue := strings.Cut(kv, "=")
		if key == "" {
			return nil, fmt.Errorf("-e %q: want KEY=value or KEY", kv)
		}
		if hasValue {
			env = append(env, kv)
		} else if v, ok := lookup(key); ok {
			env = append(env, key+"="+v)
		}
	}
	return env, nil
}

// localTerminal wires a container process to our stdin, stdout and
// stderr: with a TTY when stdin is a terminal and one is wanted.
type localTerminal struct {
	streams engine.Streams
	fd      int // stdin's, when a TTY
}

func newLocalTerminal(g *globalOptions, wantTTY bool) *localTerminal {
	t := &localTerminal{
		streams: engine.Streams{Stdin: os.Stdin, Stdout: g.stdout, Stderr: g.stderr},
		fd:      int(os.Stdin.Fd()),
	}
	if !wantTTY || !term.IsTerminal(t.fd) {
		return t
	}
	t.streams.Tty = true
	if w, h, err := term.GetSize(t.sizeFd()); err == nil {
		t.streams.Size = &engine.TerminalSize{Height: uint(h), Width: uint(w)}
	}
	return t
}

// sizeFd is the terminal to measure: stdout if it is one, else stdin.
func (t *localTerminal) sizeFd() int {
	if out := int(os.Stdout.Fd()); term.IsTerminal(out) {
		return out
	}
	return t.fd
}

// makeRaw puts the terminal in raw mode, so every key (Ctrl-C too) goes to
// the container, and forwards its size changes. restore undoes both and
// may be called more than once. Without a TTY it does nothing.
func (t *localTerminal) makeRaw() (restore func(), err error) {
	if !t.streams.Tty {
		return func() {}, nil
	}
	state, err := term.MakeRaw(t.fd)
	if err != nil {
		return nil, fmt.Errorf("put the terminal in raw mode: %w", err)
	}
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	resize := make(chan engine.TerminalSize, 1)
	stop := make(chan struct{})
	t.streams.Resize = resize
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-winch:
				w, h, err := term.GetSize(t.sizeFd())
				if err != nil {
					continue
				}
				select {
				case resize <- engine.TerminalSize{Height: uint(h), Width: uint(w)}:
				case <-stop:
					return
				}
			}
		}
	}()
	restored := false
	return func() {
		if restored {
			return
		}
		restored = true
		signal.Stop(winch)
		close(stop)
		if err := term.Restore(t.fd, state); err != nil {
			fmt.Fprintln(os.Stderr, "warning: restore the terminal: "+err.Error())
		}
	}, nil
}
