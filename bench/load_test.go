package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stack-dev/stack/spec"
)

// BenchmarkLoadCompose measures loading a generated stack, the fixed cost
// every stack command pays before its first API call; a no-op `up` of 50
// services has 90ms in all.
//
//	go test ./bench -run '^$' -bench LoadCompose -cpuprofile cpu.out
func BenchmarkLoadCompose(b *testing.B) {
	for _, n := range []int{1, 50, 100} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			file := filepath.Join(b.TempDir(), "compose.yaml")
			if err := os.WriteFile(file, []byte(composeFile(shape{Services: n}, "stack-testimage:dev", "0123abcd")), 0o644); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				p, err := spec.Load(spec.LoadOptions{Files: []string{file}, ProjectName: "bench-load"})
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Services) != n {
					b.Fatalf("loaded %d services, want %d", len(p.Services), n)
				}
			}
		})
	}
}

// TestGeneratedStacksLoad checks every generated shape is a valid stack
// with the services, dependencies and healthchecks it is meant to have.
func TestGeneratedStacksLoad(t *testing.T) {
	tests := []struct {
		name  string
		shape shape
	}{
		{"flat", shape{Services: 5}},
		{"chain", shape{Services: 4, Chain: true}},
		{"healthy", shape{Services: 3, Chain: true, Healthy: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "compose.yaml")
			if err := os.WriteFile(file, []byte(composeFile(tt.shape, "stack-testimage:dev", "0123abcd")), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := spec.Load(spec.LoadOptions{Files: []string{file}, ProjectName: "bench-load"})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Services) != tt.shape.Services {
				t.Fatalf("loaded %d services, want %d", len(p.Services), tt.shape.Services)
			}
			for i := 2; i <= tt.shape.Services; i++ {
				s := p.Services[serviceName(i)]
				dep, ok := s.DependsOn[serviceName(i-1)]
				if ok != tt.shape.Chain {
					t.Errorf("%s depends on %s: %v, want %v", s.Name, serviceName(i-1), ok, tt.shape.Chain)
				}
				if tt.shape.Healthy && dep.Condition != spec.ConditionHealthy {
					t.Errorf("%s: condition %q, want %q", s.Name, dep.Condition, spec.ConditionHealthy)
				}
			}
			s := p.Services[serviceName(1)]
			if s.Labels[labelRun] != "0123abcd" || s.Labels[labelTest] != "1" {
				t.Errorf("labels %v lack the bench labels", s.Labels)
			}
			if tt.shape.Healthy {
				if s.Healthcheck == nil || s.Healthcheck.StartInterval.Milliseconds() != 100 {
					t.Errorf("healthcheck %+v, want start_interval 100ms", s.Healthcheck)
				}
			}
		})
	}
}
