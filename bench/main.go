// Command bench times the stack CLI against a baseline that does the same
// work with the Docker API client directly: cold `up`, no-op `up`, `down`
// and `scale` of generated stacks, a depends_on chain and a chain of
// healthchecked services, and the peak memory of `up`. It prints the medians,
// the ratio to the baseline and whether each target of the issue is met.
//
//	go run ./bench [-n 3] [-sizes 1,10,50,100] [-scenarios sizes,chain,scale,health] [-json]
//
// Everything it creates carries com.docker.compose.project=bench-<run>-...,
// dev.stack.test=1 and dev.stack.bench-run=<run>, and is removed at the end,
// on failure and on Ctrl-C.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/stack-dev/stack/internal/testenv"
)

// scenarioGroups are the values of -scenarios.
var scenarioGroups = []string{"sizes", "chain", "scale", "health"}

type options struct {
	n         int
	sizes     []int
	scenarios map[string]bool
	stackBin  string
	json      bool
	levels    []int
}

func main() {
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: "+err.Error())
		os.Exit(2)
	}
	failed, err := run(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: "+err.Error())
		os.Exit(1)
	}
	if failed {
		os.Exit(3)
	}
}

func parseFlags(args []string) (options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	n := fs.Int("n", 3, "repetitions per scenario (size 100 runs ceil(n/3) times, it takes longest)")
	sizes := fs.String("sizes", "1,10,50,100", "generated stack sizes for the sizes scenarios")
	scenarios := fs.String("scenarios", strings.Join(scenarioGroups, ","), "scenario groups to run: "+strings.Join(scenarioGroups, ", "))
	stackBin := fs.String("stack", "bin/stack", "stack binary to time (built from ./cmd/stack if missing)")
	asJSON := fs.Bool("json", false, "print the results as JSON instead of a table")
	levels := fs.String("concurrency", "1,4,8,16", "in-flight counts to try for the raw baseline")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	opts := options{n: *n, stackBin: *stackBin, json: *asJSON, scenarios: map[string]bool{}}
	if opts.n < 1 {
		return opts, errors.New("-n must be at least 1")
	}
	var err error
	if opts.sizes, err = parseInts(*sizes); err != nil {
		return opts, fmt.Errorf("-sizes: %w", err)
	}
	if opts.levels, err = parseInts(*levels); err != nil || len(opts.levels) == 0 {
		return opts, fmt.Errorf("-concurrency: want a list of counts: %v", err)
	}
	for _, g := range strings.Split(*scenarios, ",") {
		g = strings.TrimSpace(g)
		if !contains(scenarioGroups, g) {
			return opts, fmt.Errorf("-scenarios: unknown group %q (have %s)", g, strings.Join(scenarioGroups, ", "))
		}
		opts.scenarios[g] = true
	}
	return opts, nil
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, v)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// repsFor is how often a size runs: 100 services take half a minute a
// cycle, so it runs a third as often to keep the default run near 6 minutes.
func repsFor(size, n int) int {
	if size >= 100 {
		return (n + 2) / 3
	}
	return n
}

// run runs the chosen scenarios, prints the results and reports whether
// any target was missed.
func run(opts options) (failed bool, err error) {
	bin, err := ensureStackBinary(opts.stackBin)
	if err != nil {
		return false, err
	}
	image, err := testenv.BuildTestImage()
	if err != nil {
		return false, fmt.Errorf("test image: %w", err)
	}
	id := make([]byte, 4)
	if _, err := rand.Read(id); err != nil {
		return false, err
	}
	runID := hex.EncodeToString(id)
	dir, err := os.MkdirTemp("", "stack-bench-*")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(dir)
	r, err := newRaw(image, runID)
	if err != nil {
		return false, err
	}
	defer r.Close()
	// Whatever happens, nothing of this run stays behind.
	defer func() {
		if cerr := removeRun(r.api, runID); cerr != nil {
			err = errors.Join(err, fmt.Errorf("cleanup of run %s: %w", runID, cerr))
		}
	}()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b := &bench{cli: stackCLI{bin: bin}, raw: r, run: runID, dir: dir, n: opts.n, levels: opts.levels, log: os.Stderr}
	b.logf("run %s: stack %s, image %s, n=%d", runID, bin, image, opts.n)

	var rows []*row
	if opts.scenarios["sizes"] {
		for _, size := range opts.sizes {
			if ctx.Err() != nil {
				break
			}
			rows = append(rows, b.lifecycle(ctx, strconv.Itoa(size), shape{Services: size}, repsFor(size, opts.n))...)
		}
	}
	if opts.scenarios["chain"] && ctx.Err() == nil {
		rows = append(rows, b.lifecycle(ctx, "chain10", shape{Services: 10, Chain: true}, opts.n)...)
	}
	if opts.scenarios["scale"] && ctx.Err() == nil {
		rows = append(rows, b.scaleUp(ctx, opts.n, 50)...)
	}
	if opts.scenarios["health"] && ctx.Err() == nil {
		rows = append(rows, b.healthChain(ctx, opts.n, 5)...)
	}
	for _, row := range rows {
		row.finish()
		if row.Pass != nil && !*row.Pass {
			failed = true
		}
	}
	if opts.json {
		err = writeJSON(os.Stdout, rows)
	} else {
		err = writeTable(os.Stdout, rows)
	}
	if ctx.Err() != nil {
		err = errors.Join(err, errors.New("interrupted"))
	}
	return failed, err
}
