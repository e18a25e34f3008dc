package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"text/tabwriter"
)

// target is what a row must meet: a ratio to the baseline, or an absolute
// maximum of the stack median (seconds or MB, in the row's unit).
type target struct {
	MaxRatio float64 `json:"max_ratio,omitempty"`
	Max      float64 `json:"max,omitempty"`
}

func (t *target) String() string {
	switch {
	case t == nil:
		return "-"
	case t.MaxRatio > 0:
		return "<= " + strconv.FormatFloat(t.MaxRatio, 'f', -1, 64) + "x raw"
	default:
		return "< " + strconv.FormatFloat(t.Max, 'f', -1, 64)
	}
}

// row is one line of the results: samples of stack and of the baseline.
type row struct {
	Scenario string    `json:"scenario"`
	Unit     string    `json:"unit"` // "s" or "MB"
	Stack    []float64 `json:"stack"`
	Raw      []float64 `json:"raw,omitempty"`
	// RawConcurrency is the in-flight count the raw samples ran at, the
	// best of RawCalibration (one run at each count tried).
	RawConcurrency int             `json:"raw_concurrency,omitempty"`
	RawCalibration map[int]float64 `json:"raw_calibration,omitempty"`
	Target         *target         `json:"target,omitempty"`
	Err            string          `json:"error,omitempty"`

	StackMedian float64 `json:"stack_median"`
	RawMedian   float64 `json:"raw_median,omitempty"`
	Ratio       float64 `json:"ratio,omitempty"`
	Pass        *bool   `json:"pass,omitempty"`
}

// finish computes the medians, the ratio and the verdict.
func (r *row) finish() {
	r.StackMedian = median(r.Stack)
	r.RawMedian = median(r.Raw)
	if r.RawMedian > 0 && r.StackMedian > 0 {
		r.Ratio = r.StackMedian / r.RawMedian
	}
	if r.Target == nil {
		return
	}
	var pass bool
	switch {
	case r.Err != "" || len(r.Stack) == 0:
		pass = false
	case r.Target.MaxRatio > 0:
		pass = r.Ratio > 0 && r.Ratio <= r.Target.MaxRatio
	default:
		pass = r.StackMedian < r.Target.Max
	}
	r.Pass = &pass
}

// median of xs; 0 for none. The mean would let one slow outlier (a daemon
// hiccup) move the result.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

// bestConcurrency returns the count with the lowest time.
func bestConcurrency(byConc map[int]float64) int {
	best := 0
	for c, t := range byConc {
		if best == 0 || t < byConc[best] || (t == byConc[best] && c < best) {
			best = c
		}
	}
	return best
}

func writeTable(w io.Writer, rows []*row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tn\tstack median\traw median\tratio\ttarget\tresult")
	for _, r := range rows {
		rawCol, ratio := "-", "-"
		if len(r.Raw) > 0 {
			rawCol = value(r.RawMedian, r.Unit)
			if r.RawConcurrency > 0 {
				rawCol += " (c=" + strconv.Itoa(r.RawConcurrency) + ")"
			}
		}
		if r.Ratio > 0 {
			ratio = strconv.FormatFloat(r.Ratio, 'f', 2, 64) + "x"
		}
		result := "-"
		if r.Pass != nil {
			result = map[bool]string{true: "PASS", false: "FAIL"}[*r.Pass]
		}
		stackCol := value(r.StackMedian, r.Unit)
		if r.Err != "" {
			stackCol, result = "error", "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\n", r.Scenario, len(r.Stack), stackCol, rawCol, ratio, r.Target, result)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rows {
		if r.Err != "" {
			fmt.Fprintf(w, "\n%s: %s\n", r.Scenario, r.Err)
		}
	}
	return nil
}

func value(v float64, unit string) string {
	if unit == "MB" {
		return strconv.FormatFloat(v, 'f', 1, 64) + " MB"
	}
	return strconv.FormatFloat(v, 'f', 3, 64) + " s"
}

func writeJSON(w io.Writer, rows []*row) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"results": rows})
}
