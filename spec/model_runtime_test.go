package spec

import (
	"slices"
	"testing"
)

// The services a service shares with, and those it names at all, are one
// definition for implicit dependencies, validation and the engine.
func TestSharedAndReferencedServices(t *testing.T) {
	s := &Service{
		NetworkMode: "service:vpn",
		Ipc:         "service:vpn",
		Pid:         "container:other",
		VolumesFrom: []VolumesFrom{{Service: "data"}, {Container: "backup"}},
		Links:       []string{"db:database", "cache"},
	}
	if got, want := s.SharedServices(), []string{"data", "vpn"}; !slices.Equal(got, want) {
		t.Errorf("SharedServices = %v, want %v", got, want)
	}
	if got, want := s.ReferencedServices(), []string{"cache", "data", "db", "vpn"}; !slices.Equal(got, want) {
		t.Errorf("ReferencedServices = %v, want %v", got, want)
	}
}
