package main

import (
	"io"
	"slices"
	"testing"
)

func TestUniqueDesc(t *testing.T) {
	tests := []struct {
		levels []int
		max    int
		want   []int
	}{
		{[]int{1, 4, 8, 16}, 100, []int{16, 8, 4, 1}},
		{[]int{1, 4, 8, 16}, 10, []int{10, 8, 4, 1}},
		{[]int{1, 4, 8, 16}, 1, []int{1}},
		{[]int{8, 8}, 50, []int{8}},
	}
	for _, tt := range tests {
		if got := uniqueDesc(tt.levels, tt.max); !slices.Equal(got, tt.want) {
			t.Errorf("uniqueDesc(%v, %d) = %v, want %v", tt.levels, tt.max, got, tt.want)
		}
	}
}

func TestCalibrateStopsOnceFewerInFlightIsSlower(t *testing.T) {
	tests := []struct {
		name      string
		up, down  map[int]float64
		wantTried []int
	}{
		{"slower at both stops", map[int]float64{16: 1, 8: 1.2, 4: 2, 1: 5}, map[int]float64{16: 1, 8: 1.3, 4: 2, 1: 5}, []int{16, 8}},
		{"faster at down goes on", map[int]float64{16: 1, 8: 1.2, 4: 2, 1: 5}, map[int]float64{16: 1, 8: 0.9, 4: 2, 1: 5}, []int{16, 8, 4}},
		{"better at one goes on", map[int]float64{16: 1, 8: 0.9, 4: 1.08, 1: 0.8}, map[int]float64{16: 1, 8: 1.1, 4: 0.95, 1: 5}, []int{16, 8, 4, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &bench{log: io.Discard}
			var tried []int
			err := b.calibrate([]int{16, 8, 4, 1}, func(c int) (float64, float64, error) {
				tried = append(tried, c)
				return tt.up[c], tt.down[c], nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tried, tt.wantTried) {
				t.Errorf("tried %v, want %v", tried, tt.wantTried)
			}
		})
	}
}
