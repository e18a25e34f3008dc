package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
)

// logTally collects the lines Logs hands over, so a test can wait for some
// and count them.
type logTally struct {
	t     *testing.T
	lines chan engine.LogLine
	seen  []engine.LogLine
}

// count is how many lines of container hold text.
func (l *logTally) count(container, text string) int {
	n := 0
	for _, line := range l.seen {
		if line.Container == container && strings.Contains(line.Text, text) {
			n++
		}
	}
	return n
}

// waitFor reads lines until container has printed text want times.
func (l *logTally) waitFor(container, text string, want int) {
	l.t.Helper()
	timeout := time.After(30 * time.Second)
	for l.count(container, text) < want {
		select {
		case line := <-l.lines:
			l.seen = append(l.seen, line)
		case <-timeout:
			l.t.Fatalf("no %d× %q from %s in time; got %+v", want, text, container, l.seen)
		}
	}
}

// drain takes the lines still queued.
func (l *logTally) drain() {
	for {
		select {
		case line := <-l.lines:
			l.seen = append(l.seen, line)
		default:
			return
		}
	}
}

func TestLogsFollowRejoinsRestartedAndNewContainers(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		p := e.stack()
		web := e.service(p, "web") // serve: says "listening on :8080"
		e.up(p, engine.UpOptions{})
		web1, web2 := e.project+"-web-1", e.project+"-web-2"

		ctx, cancel := context.WithCancel(e.ctx())
		defer cancel()
		tally := &logTally{t: t, lines: make(chan engine.LogLine, 1000)}
		done := make(chan error, 1)
		go func() {
			done <- e.engine.Logs(ctx, e.project, engine.LogsOptions{
				LogOptions: engine.LogOptions{Follow: true, Tail: "all"},
				Rejoin:     true,
			}, func(l engine.LogLine) { tally.lines <- l })
		}()
		tally.waitFor(web1, "listening on", 1)

		// A restart ends the stream; following picks the container up again
		// without repeating what it printed before.
		if err := e.engine.Restart(e.ctx(), e.project, engine.StopOptions{}); err != nil {
			t.Fatal(err)
		}
		tally.waitFor(web1, "listening on", 2)

		// A new replica is followed as it starts.
		web.Replicas = 2
		e.up(p, engine.UpOptions{})
		tally.waitFor(web2, "listening on", 1)

		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Logs: %v", err)
		}
		tally.drain()
		if n, m := tally.count(web1, "listening on"), tally.count(web2, "listening on"); n != 2 || m != 1 {
			t.Errorf("%s said listening %d times, %s %d times; want 2 and 1, each line once", web1, n, web2, m)
		}
		for _, line := range tally.seen {
			if line.Service != "web" || line.Number < 1 {
				t.Errorf("line %+v: want service web and a replica number", line)
			}
		}
	})
}

func TestLogsFollowWithoutRejoinEndsWithTheContainers(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		p := e.stack()
		e.service(p, "job", "exit", "0", "--after", "500ms")
		e.up(p, engine.UpOptions{})
		var lines []string
		err := e.engine.Logs(e.ctx(), e.project, engine.LogsOptions{
			LogOptions: engine.LogOptions{Follow: true, Tail: "all"},
		}, func(l engine.LogLine) { lines = append(lines, l.Text) })
		if err != nil {
			t.Fatalf("Logs: %v", err)
		}
		if got := strings.Join(lines, "\n"); !strings.Contains(got, "exiting with 0") {
			t.Errorf("lines %q, want the job's output", got)
		}
	})
}

// A container that was stopped when following began, and starts later, is
// followed from its new run: its history (already shown, up to --tail) is
// not printed again.
func TestLogsFollowResumesAContainerStoppedBefore(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		p := e.stack()
		e.service(p, "web")
		e.up(p, engine.UpOptions{})
		web1 := e.project + "-web-1"
		if err := e.engine.Stop(e.ctx(), e.project, engine.StopOptions{}); err != nil {
			t.Fatal(err)
		}

		ctx, cancel := context.WithCancel(e.ctx())
		defer cancel()
		tally := &logTally{t: t, lines: make(chan engine.LogLine, 1000)}
		firstEnded := make(chan struct{}, 1)
		done := make(chan error, 1)
		go func() {
			done <- e.engine.Logs(ctx, e.project, engine.LogsOptions{
				LogOptions: engine.LogOptions{Follow: true, Tail: "1"},
				Rejoin:     true,
				Ended: func(string, string, int) {
					select {
					case firstEnded <- struct{}{}:
					default:
					}
				},
			}, func(l engine.LogLine) { tally.lines <- l })
		}()
		select {
		case <-firstEnded:
		case <-time.After(30 * time.Second):
			t.Fatal("the stopped container's stream did not end")
		}
		tally.drain()
		before := tally.count(web1, "listening on")

		if err := e.engine.Start(e.ctx(), e.project, nil); err != nil {
			t.Fatal(err)
		}
		tally.waitFor(web1, "listening on", before+1)
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Logs: %v", err)
		}
		tally.drain()
		if n := tally.count(web1, "listening on"); n != before+1 {
			t.Errorf("%s said listening %d times after its start, want once: its history came again\n%+v", web1, n-before, tally.seen)
		}
	})
}
