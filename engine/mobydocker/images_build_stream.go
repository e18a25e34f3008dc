package mobydocker

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/moby/moby/api/types/jsonstream"

	"github.com/stack-dev/stack/engine"
)

// keptOutputLines is how many lines of a step's output a failed build shows.
const keptOutputLines = 10

// classicStep matches the classic builder's "Step 2/5 : RUN make".
var classicStep = regexp.MustCompile(`^Step (\d+)/(\d+) : (.*)$`)

// buildStream follows one build's JSON message stream, from BuildKit or the
// classic builder: it reports progress, remembers the image ID, and on
// failure which step failed with its last output lines.
type buildStream struct {
	fn func(engine.Progress)

	imageID string

	// BuildKit: step names and output by vertex digest.
	names    map[string]string
	reported map[string]string // the last state reported per vertex
	output   map[string][]string
	partial  map[string]string // an output line not yet ended by \n
	failed   string            // digest of the failing vertex

	// Classic builder: the current step and its output.
	step       string
	stepOutput []string
}

func newBuildStream(fn func(engine.Progress)) *buildStream {
	if fn == nil {
		fn = func(engine.Progress) {}
	}
	return &buildStream{
		fn:       fn,
		names:    map[string]string{},
		reported: map[string]string{},
		output:   map[string][]string{},
		partial:  map[string]string{},
	}
}

// handle processes one message; it returns the build's error when the
// message reports one.
func (b *buildStream) handle(msg jsonstream.Message) error {
	if msg.Error != nil {
		return b.failure(msg.Error.Message)
	}
	if msg.Aux != nil {
		return b.aux(msg.ID, *msg.Aux)
	}
	if msg.Stream != "" {
		for _, line := range strings.Split(strings.TrimRight(msg.Stream, "\n"), "\n") {
			b.classicLine(line)
		}
		return nil
	}
	if msg.Status != "" {
		p := engine.Progress{ID: msg.ID, Status: msg.Status}
		if msg.Progress != nil {
			p.Current, p.Total = msg.Progress.Current, msg.Progress.Total
		}
		b.fn(p)
	}
	return nil
}

func (b *buildStream) aux(id string, raw json.RawMessage) error {
	switch id {
	case "moby.buildkit.trace":
		var data []byte
		if err := json.Unmarshal(raw, &data); err != nil {
			return fmt.Errorf("decode buildkit trace: %w", err)
		}
		status, err := decodeSolveStatus(data)
		if err != nil {
			return err
		}
		b.solveStatus(status)
	case "moby.image.id", "":
		// BuildKit names it; the classic builder sends a bare {"ID": ...}.
		var result struct{ ID string }
		if err := json.Unmarshal(raw, &result); err == nil && result.ID != "" {
			b.imageID = result.ID
		}
	}
	return nil
}

func (b *buildStream) solveStatus(s solveStatus) {
	for _, v := range s.Vertexes {
		b.names[v.Digest] = v.Name
		// BuildKit resends a vertex on every change; report each state once.
		state := "started"
		switch {
		case v.Error != "":
			b.failed = v.Digest
			state = "error: " + v.Error
		case v.Cached:
			state = "cached"
		case v.Completed:
			state = "done"
		case !v.Started:
			continue
		}
		if b.reported[v.Digest] == state {
			continue
		}
		b.reported[v.Digest] = state
		text := v.Name
		if state != "started" {
			text += ": " + state
		}
		b.fn(engine.Progress{ID: v.Digest, Status: text})
	}
	for _, st := range s.Statuses {
		name := st.Name
		if name == "" {
			name = st.ID
		}
		b.fn(engine.Progress{ID: st.ID, Status: b.names[st.Vertex] + ": " + name, Current: st.Current, Total: st.Total})
	}
	for _, l := range s.Logs {
		text := b.partial[l.Vertex] + string(l.Msg)
		lines := strings.Split(text, "\n")
		b.partial[l.Vertex] = lines[len(lines)-1]
		for _, line := range lines[:len(lines)-1] {
			b.output[l.Vertex] = keepLast(b.output[l.Vertex], strings.TrimRight(line, "\r"))
			b.fn(engine.Progress{ID: l.Vertex, Status: line})
		}
	}
}

func (b *buildStream) classicLine(line string) {
	if m := classicStep.FindStringSubmatch(line); m != nil {
		b.step, b.stepOutput = m[3], nil
		var cur, total int64
		fmt.Sscan(m[1], &cur)
		fmt.Sscan(m[2], &total)
		b.fn(engine.Progress{Status: line, Current: cur, Total: total})
		return
	}
	if line == "" || strings.HasPrefix(line, " ---> ") || strings.HasPrefix(line, "Removing intermediate container") {
		return
	}
	b.stepOutput = keepLast(b.stepOutput, line)
	b.fn(engine.Progress{Status: line})
}

// failure builds the error of a failed build from what the stream showed.
func (b *buildStream) failure(message string) error {
	err := &engine.BuildError{Err: errors.New(message)}
	switch {
	case b.failed != "":
		err.Step = b.names[b.failed]
		err.Output = b.output[b.failed]
		if rest := b.partial[b.failed]; rest != "" {
			err.Output = keepLast(err.Output, rest)
		}
	case b.step != "":
		err.Step, err.Output = b.step, b.stepOutput
	}
	return err
}

func keepLast(lines []string, line string) []string {
	lines = append(lines, line)
	if len(lines) > keptOutputLines {
		lines = lines[len(lines)-keptOutputLines:]
	}
	return lines
}
