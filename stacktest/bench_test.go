package stacktest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/testenv"
)

// BenchmarkStacktest measures what a test suite pays for its stacks, on
// the 3-service stack of testdata/compose.yaml (a job, a service with a
// healthcheck, a service depending on both), and prints a table:
//
//   - 8 tests, each bringing up its own stack, asking it one request and
//     tearing it down, one after the other and all at once;
//   - Up to return for one stack, beside `stack up --wait` of the same file
//     and the raw engine work (the floor: the same network, volume and
//     containers created in dependency order, readiness probed by exec
//     every 100 ms), medians of 5 rounds;
//   - the second Reuse() of an unchanged stack (goal: under 0.2 s).
//
// Run it once: go test ./stacktest -run '^$' -bench Stacktest -benchtime 1x
func BenchmarkStacktest(b *testing.B) {
	img, err := testenv.BuildTestImage()
	if err != nil {
		b.Fatal(err)
	}
	os.Setenv("IMAGE", img)
	const file = "testdata/compose.yaml"
	const n = 8
	const reps = 5
	d := docker(b)

	oneTest := func(name string) error {
		tb := &benchTB{name: name}
		defer tb.cleanup()
		var s *Stack
		if err := tb.run(func() { s = Up(tb, file) }); err != nil {
			return err
		}
		resp, err := http.Get("http://" + s.Endpoint(tb, "api", 8080) + "/")
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
	wall := func(fn func() error) time.Duration {
		start := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	// Warm: the reaper, its image and the test image are there.
	wall(func() error { return oneTest("BenchWarm") })

	sequential := wall(func() error {
		for i := range n {
			if err := oneTest(fmt.Sprintf("BenchSeq%d", i)); err != nil {
				return err
			}
		}
		return nil
	})
	parallel := wall(func() error {
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = oneTest(fmt.Sprintf("BenchPar%d", i))
			}()
		}
		wg.Wait()
		return errors.Join(errs...)
	})

	// One after the other in each round, so a change of load on a shared
	// machine falls on all three alike.
	bin, err := reaperBinary(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	var upTimes, cliTimes, rawTimes, reuseTimes []time.Duration
	for i := range reps {
		tb := &benchTB{name: fmt.Sprintf("BenchUp%d", i)}
		start := time.Now()
		if err := tb.run(func() { Up(tb, file) }); err != nil {
			b.Fatal(err)
		}
		upTimes = append(upTimes, time.Since(start))
		tb.cleanup()

		project := fmt.Sprintf("bench-cli-%d-%s", i, randomHex(3))
		start = time.Now()
		out, err := exec.Command(bin, "-f", file, "-p", project, "--progress", "quiet", "up", "-d", "--wait").CombinedOutput()
		cliTimes = append(cliTimes, time.Since(start))
		down, _ := exec.Command(bin, "-p", project, "--progress", "quiet", "down", "-v", "-t", "0").CombinedOutput()
		if err != nil {
			b.Fatalf("stack up --wait: %v\n%s%s", err, out, down)
		}

		project = fmt.Sprintf("bench-raw-%d-%s", i, randomHex(3))
		start = time.Now()
		err = rawUp(d, project, img)
		rawTimes = append(rawTimes, time.Since(start))
		rmErr := testenv.RemoveProject(context.Background(), d, project)
		if err := errors.Join(err, rmErr); err != nil {
			b.Fatal(err)
		}
	}
	reuse := &benchTB{name: "BenchReuse"}
	if err := reuse.run(func() { Up(reuse, file, Reuse(), TTL(10*time.Minute)) }); err != nil {
		b.Fatal(err)
	}
	var project string
	for range 5 {
		start := time.Now()
		if err := reuse.run(func() { project = Up(reuse, file, Reuse(), TTL(10*time.Minute)).Project() }); err != nil {
			b.Fatal(err)
		}
		reuseTimes = append(reuseTimes, time.Since(start))
	}
	reuse.cleanup()
	if err := testenv.RemoveProject(context.Background(), d, project); err != nil {
		b.Fatal(err)
	}

	floor := median(rawTimes)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(os.Stdout, "\nstacktest: 3-service stack (job, healthchecked service, dependent), %d CPUs, medians of %d\n", runtime.NumCPU(), reps)
	fmt.Fprintln(tw, "measure\ttime\tratio\t")
	fmt.Fprintf(tw, "%d tests one after the other\t%s\t1.00\t\n", n, secs(sequential))
	fmt.Fprintf(tw, "%d tests in parallel\t%s\t%.2f of sequential (%.1fx faster)\t\n", n, secs(parallel),
		parallel.Seconds()/sequential.Seconds(), sequential.Seconds()/parallel.Seconds())
	fmt.Fprintf(tw, "raw engine work (floor)\t%s\t1.00\t\n", secs(floor))
	fmt.Fprintf(tw, "stacktest.Up to return\t%s\t%.2f of floor\t\n", secs(median(upTimes)), median(upTimes).Seconds()/floor.Seconds())
	fmt.Fprintf(tw, "stack up --wait (CLI)\t%s\t%.2f of floor\t\n", secs(median(cliTimes)), median(cliTimes).Seconds()/floor.Seconds())
	verdict := "met"
	if median(reuseTimes) >= 200*time.Millisecond {
		verdict = "MISSED"
	}
	fmt.Fprintf(tw, "Reuse(), unchanged, 2nd run\t%s\tgoal < 0.200 s: %s\t\n", secs(median(reuseTimes)), verdict)
	tw.Flush()
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// rawUp does the engine work of testdata/compose.yaml with no planning: the
// network and volume, then migrate run to completion while db is made
// ready, then api made ready. Readiness is the healthcheck command run
// by exec every 100 ms, the fastest a client learns it on API 1.41.
func rawUp(d engine.Docker, project, img string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	labels := testenv.Labels(project)
	net := project + "_default"
	if _, err := d.NetworkCreate(ctx, engine.NetworkSpec{Name: net, Labels: labels}); err != nil {
		return err
	}
	if err := d.VolumeCreate(ctx, engine.VolumeSpec{Name: project + "_data", Labels: labels}); err != nil {
		return err
	}
	start := func(service string, cmd []string, mounts []engine.Mount, ports []engine.PortBinding) (string, error) {
		id, err := d.ContainerCreate(ctx, engine.ContainerSpec{
			Name: project + "-" + service + "-1", Image: img, Cmd: cmd, Labels: labels,
			Mounts: mounts, Ports: ports,
			Networks: []engine.NetworkAttachment{{Network: net, Aliases: []string{service}}},
		})
		if err != nil {
			return "", err
		}
		return id, d.ContainerStart(ctx, id)
	}
	ready := func(id string) error {
		for {
			res, err := d.Exec(ctx, id, []string{"/testimage", "health"})
			if err != nil {
				return err
			}
			if res.ExitCode == 0 {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	migrate, err := start("migrate", []string{"exit", "0"}, nil, nil)
	if err != nil {
		return err
	}
	db, err := start("db", []string{"serve"}, []engine.Mount{{Type: "volume", Source: project + "_data", Target: "/data"}}, nil)
	if err != nil {
		return err
	}
	dbReady := make(chan error, 1)
	go func() { dbReady <- ready(db) }()
	if code, err := d.ContainerWait(ctx, migrate); err != nil || code != 0 {
		return fmt.Errorf("migrate: %d %v", code, err)
	}
	if err := <-dbReady; err != nil {
		return err
	}
	api, err := start("api", []string{"serve"}, nil, []engine.PortBinding{{ContainerPort: 8080, Protocol: "tcp"}})
	if err != nil {
		return err
	}
	return ready(api)
}

// benchTB is the testing.TB of one benchmarked "test": Up runs with it from
// any goroutine, and its cleanups run when the benchmark says.
type benchTB struct {
	testing.TB // not set: only the methods below are called
	name       string
	mu         sync.Mutex
	cleanups   []func()
	err        error
}

func (t *benchTB) Helper()      {}
func (t *benchTB) Name() string { return t.name }
func (t *benchTB) Failed() bool { t.mu.Lock(); defer t.mu.Unlock(); return t.err != nil }
func (t *benchTB) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}
func (t *benchTB) Logf(format string, args ...any) {}
func (t *benchTB) Errorf(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.err = errors.Join(t.err, fmt.Errorf(format, args...))
}
func (t *benchTB) Fatalf(format string, args ...any) {
	t.Errorf(format, args...)
	runtime.Goexit()
}
func (t *benchTB) Skipf(format string, args ...any) { t.Fatalf(format, args...) }

// run calls fn on a goroutine of its own, so a Fatalf ends only fn, and
// returns what failed.
func (t *benchTB) run(fn func()) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

func (t *benchTB) cleanup() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
	t.cleanups = nil
}
