package engine_test

import (
	"slices"
	"testing"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
)

func TestRegistryBuilt(t *testing.T) {
	build := &spec.Build{Context: "."}
	p := &spec.Project{Name: "p", Services: map[string]*spec.Service{
		"local":    {Name: "local", Image: "127.0.0.1:5000/app:1", Build: build},
		"hub":      {Name: "hub", Image: "library/app:1", Build: build},
		"bare":     {Name: "bare", Image: "app", Build: build},
		"pulled":   {Name: "pulled", Image: "registry.example:5000/db:1"},
		"unnamed":  {Name: "unnamed", Build: build},
		"hostport": {Name: "hostport", Image: "registry.example/team/api", Build: build},
	}}
	for _, tt := range []struct {
		services []string
		want     []string
	}{
		{nil, []string{"hostport", "local"}},
		{[]string{"local", "hub"}, []string{"local"}},
		{[]string{"pulled"}, nil},
	} {
		if got := engine.RegistryBuilt(p, tt.services); !slices.Equal(got, tt.want) {
			t.Errorf("RegistryBuilt(%v) = %v, want %v", tt.services, got, tt.want)
		}
	}
}
