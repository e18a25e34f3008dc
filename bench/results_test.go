package main

import (
	"strings"
	"testing"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{1, 1, 100}, 1},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestBestConcurrency(t *testing.T) {
	tests := []struct {
		in   map[int]float64
		want int
	}{
		{map[int]float64{1: 3, 4: 1.5, 8: 1.2, 16: 1.4}, 8},
		{map[int]float64{4: 2, 8: 2}, 4},
		{map[int]float64{1: 0.5}, 1},
	}
	for _, tt := range tests {
		if got := bestConcurrency(tt.in); got != tt.want {
			t.Errorf("bestConcurrency(%v) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestRowVerdict(t *testing.T) {
	tests := []struct {
		name string
		row  row
		pass bool
	}{
		{"ratio met", row{Stack: []float64{1.1, 1.0, 1.2}, Raw: []float64{1.0}, Target: &target{MaxRatio: 1.15}}, true},
		{"ratio missed", row{Stack: []float64{1.3, 1.2, 1.4}, Raw: []float64{1.0}, Target: &target{MaxRatio: 1.15}}, false},
		{"ratio without baseline", row{Stack: []float64{1}, Target: &target{MaxRatio: 1.15}}, false},
		{"absolute met", row{Stack: []float64{0.05, 0.08, 0.2}, Target: &target{Max: 0.09}}, true},
		{"absolute missed", row{Stack: []float64{0.1}, Target: &target{Max: 0.09}}, false},
		{"error fails", row{Stack: []float64{0.01}, Target: &target{Max: 0.09}, Err: "boom"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.row.finish()
			if tt.row.Pass == nil || *tt.row.Pass != tt.pass {
				t.Errorf("pass = %v, want %v (stack %v raw %v ratio %v)", tt.row.Pass, tt.pass, tt.row.StackMedian, tt.row.RawMedian, tt.row.Ratio)
			}
		})
	}
}

func TestWriteTable(t *testing.T) {
	r := &row{Scenario: "up-50", Unit: "s", Stack: []float64{2, 3, 4}, Raw: []float64{2}, RawConcurrency: 8, Target: &target{MaxRatio: 1.15}}
	r.finish()
	var b strings.Builder
	if err := writeTable(&b, []*row{r}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"up-50", "3.000 s", "2.000 s (c=8)", "1.50x", "<= 1.15x raw", "FAIL"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}
