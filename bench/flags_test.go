package main

import (
	"slices"
	"testing"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantErr   bool
		wantN     int
		wantSizes []int
		wantGroup []string
	}{
		{"defaults", nil, false, 3, []int{1, 10, 50, 100}, scenarioGroups},
		{"subset", []string{"-n", "5", "-sizes", "10,50", "-scenarios", "sizes,health"}, false, 5, []int{10, 50}, []string{"sizes", "health"}},
		{"unknown group", []string{"-scenarios", "sizes,nope"}, true, 0, nil, nil},
		{"zero reps", []string{"-n", "0"}, true, 0, nil, nil},
		{"bad size", []string{"-sizes", "10,x"}, true, 0, nil, nil},
		{"bad concurrency", []string{"-concurrency", "0"}, true, 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, err := parseFlags(tt.args)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if opts.n != tt.wantN || !slices.Equal(opts.sizes, tt.wantSizes) {
				t.Errorf("n=%d sizes=%v, want n=%d sizes=%v", opts.n, opts.sizes, tt.wantN, tt.wantSizes)
			}
			for _, g := range scenarioGroups {
				if opts.scenarios[g] != slices.Contains(tt.wantGroup, g) {
					t.Errorf("group %s selected %v, want %v", g, opts.scenarios[g], !opts.scenarios[g])
				}
			}
		})
	}
}

func TestRepsFor(t *testing.T) {
	tests := []struct{ size, n, want int }{
		{1, 3, 3}, {50, 3, 3}, {100, 3, 1}, {100, 1, 1}, {100, 6, 2}, {100, 7, 3},
	}
	for _, tt := range tests {
		if got := repsFor(tt.size, tt.n); got != tt.want {
			t.Errorf("repsFor(%d, %d) = %d, want %d", tt.size, tt.n, got, tt.want)
		}
	}
}
