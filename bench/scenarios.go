package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// bench runs scenarios against the stack CLI and the raw baseline.
type bench struct {
	cli    stackCLI
	raw    *raw
	run    string // random name of this run
	dir    string // generated stack files
	n      int
	levels []int // raw in-flight counts to try
	log    io.Writer
	// cycles numbers the baseline's projects: each cycle gets its own, so
	// a network the daemon failed to remove never meets its successor
	// (API 1.41 lets two networks share a name, and then neither is usable).
	cycles int
	// knownUp and knownDown are the best raw in-flight counts of the
	// last flat stack of 10 or more calibrated.
	knownUp, knownDown int
}

// Targets from the issue.
var (
	targetRatio   = &target{MaxRatio: 1.15}
	targetNoop    = &target{Max: 0.09}
	targetRSS     = &target{Max: 30}
	targetHealthy = &target{Max: 6.5}
)

// project names one scenario's project, for stack ("s") or raw ("r"), so a
// leftover of one never meets the other.
func (b *bench) project(who, name string) string {
	return "bench-" + b.run + "-" + who + "-" + name
}

// rawProject names the baseline project of one cycle.
func (b *bench) rawProject(name string) string {
	b.cycles++
	return b.project("r", name+"-"+strconv.Itoa(b.cycles))
}

// stackProject names the stack project of one cycle.
func (b *bench) stackProject(name string) string {
	b.cycles++
	return b.project("s", name+"-"+strconv.Itoa(b.cycles))
}

// staleRetries is how often a cycle is run again after the daemon kept a
// stale endpoint (see isStaleEndpoint).
const staleRetries = 2

// againIfStale runs cycle and, when it failed only because Docker 20.10
// kept a stale endpoint in the network at the end, runs it again on a fresh
// project: the daemon's bug, not the work timed, and its retry time would
// skew the sample of whichever side hit it.
func (b *bench) againIfStale(what string, cycle func() error) error {
	err := cycle()
	for i := 0; i < staleRetries && isStaleEndpoint(err); i++ {
		b.logf("%s: the daemon kept a stale network endpoint (moby#43286); running the cycle again", what)
		err = cycle()
	}
	return err
}

// cleanup removes a project after a cycle, saying so if that failed.
func (b *bench) cleanup(project string) {
	if err := removeProject(b.raw.api, project); err != nil {
		b.logf("cleanup of %s: %v", project, err)
	}
}

func (b *bench) writeStack(name string, s shape) (string, error) {
	dir := filepath.Join(b.dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(composeFile(s, b.raw.image, b.run)), 0o644); err != nil {
		return "", fmt.Errorf("write stack %s: %w", name, err)
	}
	return file, nil
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.log, time.Now().Format("15:04:05 ")+format+"\n", args...)
}

func timed(fn func() error) (float64, error) {
	start := time.Now()
	err := fn()
	return time.Since(start).Seconds(), err
}

// lifecycle times a cold `up -d`, a no-op `up -d` and `down` of stack s,
// reps times, against the baseline doing the same. The baseline first runs
// once at each in-flight count of b.levels (a chain at 1: it has nothing to
// run in parallel), then reps-1 more times at the best count of each op.
// Stack and baseline cycles alternate so drift of a shared daemon hits both.
func (b *bench) lifecycle(ctx context.Context, name string, s shape, reps int) []*row {
	up := &row{Scenario: "up-" + name, Unit: "s", RawCalibration: map[int]float64{}}
	noop := &row{Scenario: "noop-" + name, Unit: "s"}
	down := &row{Scenario: "down-" + name, Unit: "s", RawCalibration: map[int]float64{}}
	rss := &row{Scenario: "peak RSS up-" + name, Unit: "MB"}
	// ru_maxrss is an upper bound only: see proc.RusageMaxRSS.
	maxrss := &row{Scenario: "ru_maxrss up-" + name, Unit: "MB"}
	rows := []*row{up, noop, down, rss, maxrss}
	if name == "50" {
		up.Target, down.Target, noop.Target = targetRatio, targetRatio, targetNoop
	}
	if name == "100" {
		rss.Target = targetRSS
	}
	fail := func(err error) []*row {
		for _, r := range rows {
			r.Err = err.Error()
		}
		return rows
	}
	file, err := b.writeStack(name, s)
	if err != nil {
		return fail(err)
	}
	rawCycle := func(cUp, cDown int) (tu, tn, td float64, err error) {
		rp := b.rawProject(name)
		defer func() {
			if err != nil {
				b.cleanup(rp)
			}
		}()
		if tu, err = timed(func() error { return b.raw.up(ctx, rp, s, cUp) }); err != nil {
			return
		}
		settle()
		if tn, err = timed(func() error { return b.raw.noop(ctx, rp, s) }); err != nil {
			return
		}
		td, err = timed(func() error { return b.raw.down(ctx, rp, s, cDown) })
		b.logf("%s raw c=%d/%d: up %.3fs noop %.4fs down %.3fs", name, cUp, cDown, tu, tn, td)
		return
	}
	stackCycle := func() (err error) {
		sp := b.stackProject(name)
		defer func() {
			if err != nil {
				b.cleanup(sp)
			}
		}()
		pu, err := b.cli.run(ctx, file, sp, "up", "-d")
		if err != nil {
			return err
		}
		settle()
		pn, err := b.cli.run(ctx, file, sp, "up", "-d")
		if err != nil {
			return err
		}
		pd, err := b.cli.run(ctx, file, sp, "down")
		if err != nil {
			return err
		}
		up.Stack = append(up.Stack, pu.Wall.Seconds())
		noop.Stack = append(noop.Stack, pn.Wall.Seconds())
		down.Stack = append(down.Stack, pd.Wall.Seconds())
		rss.Stack = append(rss.Stack, float64(pu.PeakRSS)/(1<<20))
		maxrss.Stack = append(maxrss.Stack, float64(pu.RusageMaxRSS)/(1<<20))
		b.logf("%s stack: up %.3fs (peak RSS %.1f MB, ru_maxrss %.1f MB) noop %.4fs down %.3fs", name, pu.Wall.Seconds(),
			float64(pu.PeakRSS)/(1<<20), float64(pu.RusageMaxRSS)/(1<<20), pn.Wall.Seconds(), pd.Wall.Seconds())
		return nil
	}

	var noops []float64
	err = b.calibrate(b.levelsFor(s), func(c int) (tu, td float64, err error) {
		var tn float64
		err = b.againIfStale("raw up-"+name, func() (err error) {
			tu, tn, td, err = rawCycle(c, c)
			return err
		})
		if err == nil {
			up.RawCalibration[c], down.RawCalibration[c] = tu, td
			noops = append(noops, tn)
		}
		return tu, td, err
	})
	if err != nil {
		return fail(err)
	}
	up.RawConcurrency = bestConcurrency(up.RawCalibration)
	down.RawConcurrency = bestConcurrency(down.RawCalibration)
	up.Raw = []float64{up.RawCalibration[up.RawConcurrency]}
	down.Raw = []float64{down.RawCalibration[down.RawConcurrency]}
	noop.Raw = noops
	if !s.Chain && s.Services >= 10 {
		b.knownUp, b.knownDown = up.RawConcurrency, down.RawConcurrency
	}
	for i := range reps {
		if err := b.againIfStale("stack up-"+name, stackCycle); err != nil {
			return fail(err)
		}
		if i == reps-1 {
			break
		}
		var tu, tn, td float64
		err := b.againIfStale("raw up-"+name, func() (err error) {
			tu, tn, td, err = rawCycle(up.RawConcurrency, down.RawConcurrency)
			return err
		})
		if err != nil {
			return fail(err)
		}
		up.Raw, noop.Raw, down.Raw = append(up.Raw, tu), append(noop.Raw, tn), append(down.Raw, td)
	}
	return rows
}

// scaleUp times `scale svc001=50` of a running one-service stack against the
// baseline creating and starting the 49 new replicas.
func (b *bench) scaleUp(ctx context.Context, reps, to int) []*row {
	name := "1to" + strconv.Itoa(to)
	r := &row{Scenario: "scale-" + name, Unit: "s", RawCalibration: map[int]float64{}}
	fail := func(err error) []*row {
		r.Err = err.Error()
		return []*row{r}
	}
	s := shape{Services: 1}
	file, err := b.writeStack("scale", s)
	if err != nil {
		return fail(err)
	}
	sp := b.project("s", "scale")
	service := serviceName(1)
	// Teardown is untimed, so a forced remove does it.
	rawCycle := func(c int) (float64, error) {
		rp := b.rawProject("scale")
		defer b.cleanup(rp)
		if err := b.raw.up(ctx, rp, s, 1); err != nil {
			return 0, err
		}
		t, err := timed(func() error { return b.raw.scale(ctx, rp, service, to, c) })
		if err == nil {
			b.logf("scale raw c=%d: %.3fs", c, t)
		}
		return t, err
	}
	stackCycle := func() error {
		defer b.cleanup(sp)
		if _, err := b.cli.run(ctx, file, sp, "up", "-d"); err != nil {
			return err
		}
		p, err := b.cli.run(ctx, file, sp, "scale", service+"="+strconv.Itoa(to))
		if err != nil {
			return err
		}
		r.Stack = append(r.Stack, p.Wall.Seconds())
		b.logf("scale stack: %.3fs", p.Wall.Seconds())
		return nil
	}
	// Scaling up is the work of up: the best count of up-50 holds here.
	levels := uniqueDesc(b.levels, to-1)
	if b.knownUp > 0 {
		levels = []int{b.knownUp}
	}
	err = b.calibrate(levels, func(c int) (float64, float64, error) {
		t, err := rawCycle(c)
		r.RawCalibration[c] = t
		return t, t, err
	})
	if err != nil {
		return fail(err)
	}
	r.RawConcurrency = bestConcurrency(r.RawCalibration)
	r.Raw = []float64{r.RawCalibration[r.RawConcurrency]}
	for i := range reps {
		if err := stackCycle(); err != nil {
			return fail(err)
		}
		if i == reps-1 {
			break
		}
		t, err := rawCycle(r.RawConcurrency)
		if err != nil {
			return fail(err)
		}
		r.Raw = append(r.Raw, t)
	}
	return []*row{r}
}

// healthChain times `up -d --wait` of a chain of n services, each waiting
// for the one before to be healthy, each ready 1s after it starts, against
// the baseline starting each after exec-probing the one before.
func (b *bench) healthChain(ctx context.Context, reps, n int) []*row {
	name := "healthchain" + strconv.Itoa(n)
	r := &row{Scenario: "up-" + name, Unit: "s", Target: targetHealthy}
	fail := func(err error) []*row {
		r.Err = err.Error()
		return []*row{r}
	}
	s := shape{Services: n, Chain: true, Healthy: true}
	file, err := b.writeStack(name, s)
	if err != nil {
		return fail(err)
	}
	sp := b.project("s", name)
	for range reps {
		rp := b.rawProject(name)
		t, err := timed(func() error { return b.raw.up(ctx, rp, s, 1) })
		b.cleanup(rp)
		if err != nil {
			return fail(err)
		}
		r.Raw = append(r.Raw, t)
		p, err := b.cli.run(ctx, file, sp, "up", "-d", "--wait")
		b.cleanup(sp)
		if err != nil {
			return fail(err)
		}
		r.Stack = append(r.Stack, p.Wall.Seconds())
		b.logf("%s: stack %.3fs raw %.3fs", name, p.Wall.Seconds(), t)
	}
	return []*row{r}
}

// settle waits, untimed, after an up: a container stopped right after it
// started may not have installed its SIGTERM handler yet, and as PID 1 it
// then ignores the signal and the stop waits out its 10s timeout.
func settle() { time.Sleep(300 * time.Millisecond) }

// levelsFor are the in-flight counts to try for the baseline of a scenario,
// highest first: 1 for a chain (nothing runs in parallel), none above the
// number of containers, and once a stack of 10 or more was calibrated only
// its best counts for stacks over 50 (the same work, and each try costs a
// full cycle).
func (b *bench) levelsFor(s shape) []int {
	if s.Chain {
		return []int{1}
	}
	if s.Services > 50 && b.knownUp > 0 {
		return uniqueDesc([]int{b.knownUp, b.knownDown}, s.Services)
	}
	return uniqueDesc(b.levels, s.Services)
}

// uniqueDesc caps each level at max, drops duplicates and sorts descending.
func uniqueDesc(levels []int, max int) []int {
	seen := map[int]bool{}
	var out []int
	for _, c := range levels {
		c = min(c, max)
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

// calibrate runs try at each level, highest first, and stops once a level
// is faster at neither up nor down than the best so far: the daemon is the
// bottleneck, so still fewer in flight will not be faster either, and each
// try at a low count on a large stack costs a minute.
func (b *bench) calibrate(levels []int, try func(c int) (up, down float64, err error)) error {
	bestUp, bestDown := 0.0, 0.0
	for i, c := range levels {
		tu, td, err := try(c)
		if err != nil {
			return err
		}
		if i > 0 && tu >= bestUp && td >= bestDown {
			b.logf("calibration: %d in flight is no faster, not trying fewer", c)
			return nil
		}
		if i == 0 || tu < bestUp {
			bestUp = tu
		}
		if i == 0 || td < bestDown {
			bestDown = td
		}
	}
	return nil
}
