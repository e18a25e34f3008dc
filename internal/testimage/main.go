// Command testimage is the one program inside the test image every
// integration test runs (stack-testimage:<hash>, built FROM scratch by
// internal/testenv). Each subcommand is a behaviour a test needs from a
// container: a server with a readiness delay, a healthcheck probe, a job
// that exits with a code, a DNS lookup, an HTTP client and file access for
// volume tests. Standard library only, so it links statically.
package main

import (
	"fmt"
	"os"
)

const usage = `usage: testimage COMMAND [ARGS]

commands:
  serve [--port N] [--ready-after D]   HTTP server: / prints hostname and $NAME, /healthz is 200 once ready
  health [--url URL]                   exit 0 iff URL (default http://127.0.0.1:8080/healthz) answers 200
  exit CODE [--after D]                print a line to stdout and one to stderr, then exit with CODE
  lookup NAME                          print NAME's addresses; exit 1 if it does not resolve
  get URL                              print the body of GET URL; exit 1 unless it answers 2xx
  sleep D                              sleep for D
  hang D                               sleep for D, ignoring SIGTERM and SIGINT
  write PATH TEXT                      write TEXT to PATH
  cat PATH                             print PATH
`

// commands maps a subcommand to its implementation; each returns the
// process exit code.
var commands = map[string]func(args []string) int{
	"serve":  serve,
	"health": health,
	"exit":   exitWith,
	"lookup": lookup,
	"get":    get,
	"sleep":  sleep,
	"hang":   hang,
	"write":  write,
	"cat":    cat,
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "testimage: unknown command %q\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	os.Exit(cmd(os.Args[2:]))
}

// fail prints an error the way every subcommand reports one and returns
// the exit code for it.
func fail(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "testimage: "+format+"\n", args...)
	return 1
}
