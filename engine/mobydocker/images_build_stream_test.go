package mobydocker

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/jsonstream"

	"github.com/stack-dev/stack/engine"
)

// The testdata/build-*.jsonl streams were captured from Docker 20.10
// building testdata/imageapp FROM scratch; the failing ones run
// RUN ["/app", "fail", "15"].
func TestBuildStream(t *testing.T) {
	tests := []struct {
		file       string
		wantID     string
		wantStep   string
		wantErr    string
		wantOutput []string
		wantStatus string // one of the progress reports
	}{
		{
			file:       "build-buildkit-ok.jsonl",
			wantID:     "sha256:e5ac3195e24a352cf715caae6f1ac28dc2d540756c818f2b25e2a004779fdc30",
			wantStatus: "[1/1] COPY app /app: cached",
		},
		{
			file:       "build-classic-ok.jsonl",
			wantID:     "sha256:0618b0b3b6df00e174c8883a5443f871bcdb7dd46e0f79bb10c4fc7d30607cb9",
			wantStatus: "Step 2/2 : COPY app /app",
		},
		{
			file:       "build-buildkit-fail.jsonl",
			wantStep:   `[2/2] RUN ["/app", "fail", "15"]`,
			wantErr:    "exit code: 3",
			wantOutput: numberedLines(6, 15),
			wantStatus: "output line 15",
		},
		{
			file:       "build-classic-fail.jsonl",
			wantStep:   `RUN ["/app", "fail", "15"]`,
			wantErr:    "returned a non-zero code: 3",
			wantOutput: numberedLines(6, 15),
			wantStatus: "output line 1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var statuses []string
			s := newBuildStream(func(p engine.Progress) { statuses = append(statuses, p.Status) })
			err := replay(t, "testdata/"+tt.file, s)

			if !slices.Contains(statuses, tt.wantStatus) {
				t.Errorf("progress has no %q; got %q", tt.wantStatus, statuses)
			}
			if tt.wantErr == "" {
				if err != nil || s.imageID != tt.wantID {
					t.Fatalf("got id %q, err %v; want id %q", s.imageID, err, tt.wantID)
				}
				return
			}
			var be *engine.BuildError
			if !errors.As(err, &be) {
				t.Fatalf("got %v; want a *engine.BuildError", err)
			}
			if be.Step != tt.wantStep || !strings.Contains(be.Err.Error(), tt.wantErr) || !slices.Equal(be.Output, tt.wantOutput) {
				t.Errorf("got step %q, err %q, output %q;\nwant step %q, err containing %q, output %q",
					be.Step, be.Err, be.Output, tt.wantStep, tt.wantErr, tt.wantOutput)
			}
		})
	}
}

// replay feeds a captured build stream to s and returns the build's error.
func replay(t *testing.T, file string, s *buildStream) error {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	for {
		var msg jsonstream.Message
		if err := dec.Decode(&msg); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			t.Fatalf("decode %s: %v", file, err)
		}
		if err := s.handle(msg); err != nil {
			return err
		}
	}
}

func numberedLines(from, to int) []string {
	var lines []string
	for i := from; i <= to; i++ {
		lines = append(lines, "output line "+strconv.Itoa(i))
	}
	return lines
}
