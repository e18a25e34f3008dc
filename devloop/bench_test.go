package devloop_test

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/devloop"
	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/spec"
)

// BenchmarkSyncLatency is the scenario: one file of a synced tree of
// 1,000 files is edited 50 times, half a second apart, and read back with
// docker exec after each edit. It reports the time from the write to the
// new content being readable, p50 and p95, next to the raw floor on the
// same machine: one archive PUT plus one exec. Run it with
//
//	go test ./devloop -run XXX -bench SyncLatency -benchtime 1x
func BenchmarkSyncLatency(b *testing.B) {
	r := newRig(b)
	for d := 0; d < 20; d++ {
		for f := 0; f < 50; f++ {
			r.write(fmt.Sprintf("d%02d/f%02d.txt", d, f), strings.Repeat("x", 1024))
		}
	}
	r.service("api", 1, spec.WatchRule{Action: spec.WatchSync, Path: r.dir, Target: "/app", InitialSync: true})
	r.up()
	id := r.containers("api")[0].ID
	read := func(p, want string) {
		for {
			res, err := r.docker.Exec(r.ctx(), id, []string{"/testimage", "cat", p})
			if err != nil {
				b.Fatal(err)
			}
			if res.Output == want {
				return
			}
		}
	}
	read("/app/d19/f49.txt", strings.Repeat("x", 1024)) // the initial sync is done
	const edits = 50
	for b.Loop() {
		// The raw floor runs between the edits, so both see the same load.
		var watch, floor []time.Duration
		for i := 0; i < edits; i++ {
			want := fmt.Sprintf("edit %d", i)
			start := time.Now()
			r.write("d07/f07.txt", want)
			read("/app/d07/f07.txt", want)
			watch = append(watch, time.Since(start))
			time.Sleep(250 * time.Millisecond)

			want = fmt.Sprintf("raw %d", i)
			var buf bytes.Buffer
			tw := tar.NewWriter(&buf)
			start = time.Now()
			tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "raw.txt", Mode: 0o644, Size: int64(len(want))})
			tw.Write([]byte(want))
			tw.Close()
			if err := r.docker.CopyToContainer(r.ctx(), id, "/app", &buf, false); err != nil {
				b.Fatal(err)
			}
			read("/app/raw.txt", want)
			floor = append(floor, time.Since(start))
			time.Sleep(250 * time.Millisecond)
		}
		b.ReportMetric(ms(pct(watch, 50)), "watch-p50-ms")
		b.ReportMetric(ms(pct(watch, 95)), "watch-p95-ms")
		b.ReportMetric(ms(pct(floor, 50)), "floor-p50-ms")
		b.ReportMetric(ms(pct(floor, 95)), "floor-p95-ms")
	}
}

// BenchmarkRebuild times a rebuild rule from the write to the new container
// answering with the change.
func BenchmarkRebuild(b *testing.B) {
	r := newRig(b)
	dockerfile := func(name string) string { return "FROM " + r.image + "\nENV NAME=" + name + "\n" }
	r.write("Dockerfile", dockerfile("v0"))
	s := r.service("web", 1, spec.WatchRule{Action: spec.WatchRebuild, Path: r.dir})
	s.Image = r.project + "/web:dev"
	s.Build = &spec.Build{Context: r.dir, Labels: map[string]string{engine.LabelProject: r.project}}
	var images []string
	b.Cleanup(func() {
		ctx := context.Background()
		testenv.RemoveProject(ctx, r.docker, r.project) // before the images it runs
		for _, ref := range append([]string{s.Image}, images...) {
			r.docker.ImageRemove(ctx, ref)
		}
	})
	remember := func() {
		if img, err := r.docker.ImageInspect(context.Background(), s.Image); err == nil {
			images = append(images, img.ID)
		}
	}
	r.up()
	remember()
	var times []time.Duration
	i := 0
	for b.Loop() {
		i++
		n := r.seen()
		name := fmt.Sprintf("v%d", i)
		start := time.Now()
		r.write("Dockerfile", dockerfile(name))
		r.waitEvent(n, "rebuild", func(e devloop.Event) bool { return e.Action == spec.WatchRebuild })
		r.wantServing("web", "name="+name)
		times = append(times, time.Since(start))
		remember()
	}
	b.ReportMetric(ms(pct(times, 50)), "rebuild-p50-ms")
}

func pct(d []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)*p/100]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
