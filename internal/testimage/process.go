package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"
)

// exitWith writes one line to each output stream, so log tests can check
// the two are kept apart, then exits with the given code.
func exitWith(args []string) int {
	if len(args) < 1 {
		return fail("usage: exit CODE [--after D]")
	}
	code, err := strconv.Atoi(args[0])
	if err != nil {
		return fail("exit: bad code %q: %v", args[0], err)
	}
	fs := flag.NewFlagSet("exit", flag.ContinueOnError)
	after := fs.Duration("after", 0, "wait this long before exiting")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	fmt.Fprintf(os.Stdout, "stdout: exiting with %d\n", code)
	fmt.Fprintf(os.Stderr, "stderr: exiting with %d\n", code)
	time.Sleep(*after)
	return code
}

// sleep waits for D. It installs no signal handler, so as PID 1 it ignores
// SIGTERM: stopping it takes the kill after the stop timeout.
func sleep(args []string) int {
	if len(args) != 1 {
		return fail("usage: sleep D")
	}
	d, err := time.ParseDuration(args[0])
	if err != nil {
		return fail("sleep: %v", err)
	}
	time.Sleep(d)
	return 0
}
