package mobydocker

import (
	"testing"

	"github.com/stack-dev/stack/engine"
)

// build --pull reaches the API as pull=1 (PullParent); --no-cache as
// nocache.
func TestBuildOptionsPullParent(t *testing.T) {
	for _, pull := range []bool{false, true} {
		opts, err := buildOptions(engine.BuildSpec{Tags: []string{"x:1"}, PullParent: pull, NoCache: pull})
		if err != nil {
			t.Fatal(err)
		}
		if opts.PullParent != pull || opts.NoCache != pull {
			t.Errorf("PullParent %v: got PullParent %v NoCache %v", pull, opts.PullParent, opts.NoCache)
		}
	}
}
