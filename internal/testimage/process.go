package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
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

// sleep waits for D. The Go runtime exits on SIGTERM even as PID 1, so a
// stop ends it at once (exit 143); hang is the command that ignores it.
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

// hang waits for D ignoring SIGTERM and SIGINT, so stopping it takes the
// whole stop timeout and ends in a kill (exit 137): for slow-stop tests.
func hang(args []string) int {
	signal.Ignore(syscall.SIGTERM, os.Interrupt)
	fmt.Println("hanging, ignoring SIGTERM")
	return sleep(args)
}
