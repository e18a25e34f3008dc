package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/stack-dev/stack/engine"
)

// Progress renders engine status updates. Report is safe for concurrent
// use; call Close when the operation ends.
type Progress struct {
	mode  string
	w     io.Writer
	color bool
	width int

	mu    sync.Mutex
	rows  []*row
	index map[string]*row
	drawn int // lines drawn last time (tty)
	stop  chan struct{}
	done  chan struct{}
	start time.Time
}

type row struct {
	status engine.Status
	first  time.Time
	last   time.Time
}

// NewProgress returns a renderer for mode (already resolved, see
// ResolveMode) writing to w.
func NewProgress(w io.Writer, mode string) *Progress {
	p := &Progress{
		mode: mode, w: w, color: ColorEnabled(w), width: Width(w),
		index: map[string]*row{}, start: time.Now(),
	}
	if mode == ModeTTY {
		p.stop, p.done = make(chan struct{}), make(chan struct{})
		go p.loop()
	}
	return p
}

// Report takes one status update.
func (p *Progress) Report(s engine.Status) {
	if s.Time.IsZero() {
		s.Time = time.Now()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch p.mode {
	case ModeQuiet:
		return
	case ModeJSON:
		p.writeJSON(s)
		return
	}
	r := p.index[s.Object]
	if r == nil {
		r = &row{first: s.Time}
		p.index[s.Object] = r
		p.rows = append(p.rows, r)
	}
	changed := r.status.Phase != s.Phase || r.status.Detail != s.Detail || r.status.Err != s.Err
	r.status, r.last = s, s.Time
	if p.mode == ModePlain && changed && (s.Total == 0 || s.Current == s.Total) {
		fmt.Fprintln(p.w, p.plainLine(r))
	}
}

// Close stops live rendering and draws the final state.
func (p *Progress) Close() {
	if p.mode == ModeTTY {
		close(p.stop)
		<-p.done
	}
}

func (p *Progress) loop() {
	defer close(p.done)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.stop:
			p.mu.Lock()
			p.draw()
			p.mu.Unlock()
			return
		case <-tick.C:
			p.mu.Lock()
			p.draw()
			p.mu.Unlock()
		}
	}
}

// draw redraws every row in place: cursor up over what was drawn before.
func (p *Progress) draw() {
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.drawn)
	}
	for _, r := range p.rows {
		b.WriteString("\x1b[2K")
		b.WriteString(p.ttyLine(r))
		b.WriteString("\n")
	}
	p.drawn = len(p.rows)
	io.WriteString(p.w, b.String())
}

func (p *Progress) ttyLine(r *row) string {
	s := r.status
	icon, code := "⠿", "33"
	switch {
	case s.Err != nil || s.Phase == engine.PhaseError:
		icon, code = "✘", "31"
	case s.Phase == engine.PhaseWarning:
		icon, code = "!", "33"
	case s.Done:
		icon, code = "✔", "32"
	}
	end := r.last
	if !s.Done {
		end = time.Now()
	}
	elapsed := fmt.Sprintf("%.1fs", end.Sub(r.first).Seconds())
	text := fmt.Sprintf(" %s %-*s %-12s", colorize(p.color, code, icon), p.objectWidth(), s.Object, s.Phase)
	if s.Total > 0 {
		text += " " + bar(s.Current, s.Total, 20)
	}
	if s.Detail != "" {
		text += " " + s.Detail
	}
	line := text
	pad := 0
	if p.width > 0 {
		visible := len([]rune(stripANSI(text)))
		if visible+len(elapsed)+1 > p.width {
			cut := p.width - len(elapsed) - 2
			if cut < 10 {
				cut = 10
			}
			line = truncateVisible(text, cut)
			visible = cut
		}
		pad = p.width - visible - len(elapsed) - 1
	}
	if pad < 1 {
		pad = 1
	}
	return line + strings.Repeat(" ", pad) + colorize(p.color, "2", elapsed)
}

// objectWidth aligns the phase column after the longest object name.
func (p *Progress) objectWidth() int {
	w := 20
	for _, r := range p.rows {
		if n := len(r.status.Object); n > w {
			w = n
		}
	}
	// Leave the phase, some detail and the elapsed time room on the line.
	limit := max(60, p.width-50)
	return min(w, limit)
}

func (p *Progress) plainLine(r *row) string {
	s := r.status
	line := s.Object + " " + s.Phase
	if s.Detail != "" {
		line += ": " + s.Detail
	}
	if s.Done && s.Phase != engine.PhaseUpToDate {
		line += fmt.Sprintf(" (%.1fs)", r.last.Sub(r.first).Seconds())
	}
	return line
}

func (p *Progress) writeJSON(s engine.Status) {
	ev := struct {
		Time    time.Time `json:"time"`
		Object  string    `json:"object"`
		Service string    `json:"service,omitempty"`
		Phase   string    `json:"phase"`
		Detail  string    `json:"detail,omitempty"`
		Current int64     `json:"current,omitempty"`
		Total   int64     `json:"total,omitempty"`
		Error   string    `json:"error,omitempty"`
		Done    bool      `json:"done,omitempty"`
	}{s.Time, s.Object, s.Service, s.Phase, s.Detail, s.Current, s.Total, "", s.Done}
	if s.Err != nil {
		ev.Error = s.Err.Error()
	}
	b, _ := json.Marshal(ev)
	p.w.Write(append(b, '\n'))
}

func bar(cur, total int64, width int) string {
	if total <= 0 {
		return ""
	}
	n := int(float64(width) * float64(cur) / float64(total))
	if n > width {
		n = width
	}
	return "[" + strings.Repeat("=", n) + strings.Repeat(" ", width-n) + "]"
}

func stripANSI(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '\x1b':
			in = true
		case in && r == 'm':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// truncateVisible cuts s to n visible runes, keeping escape sequences whole.
func truncateVisible(s string, n int) string {
	var b strings.Builder
	in, count := false, 0
	for _, r := range s {
		switch {
		case r == '\x1b':
			in = true
			b.WriteRune(r)
		case in:
			b.WriteRune(r)
			if r == 'm' {
				in = false
			}
		case count < n:
			b.WriteRune(r)
			count++
		}
	}
	return b.String() + "\x1b[0m"
}
