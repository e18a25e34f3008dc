package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestComposeFile(t *testing.T) {
	tests := []struct {
		name  string
		shape shape
	}{
		{"flat3", shape{Services: 3}},
		{"chain3", shape{Services: 3, Chain: true}},
		{"healthy2", shape{Services: 2, Chain: true, Healthy: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := composeFile(tt.shape, "stack-testimage:dev", "0123abcd")
			golden := filepath.Join("testdata", tt.name+".compose.yaml")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("compose file differs from %s (run with -update to accept):\n%s", golden, got)
			}
		})
	}
}

func TestServiceNameSortsInChainOrder(t *testing.T) {
	for i := 1; i < 120; i++ {
		if serviceName(i) >= serviceName(i+1) {
			t.Fatalf("%s does not sort before %s", serviceName(i), serviceName(i+1))
		}
	}
}
