package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
	"github.com/stack-dev/stack/spec"
)

// A time-based pull policy pulls an image pulled longer ago than its
// interval, and leaves a fresher one alone.
func TestTimeBasedPullPolicies(t *testing.T) {
	tests := []struct {
		policy   string
		after    time.Duration
		age      time.Duration
		wantPull bool
	}{
		{"daily", 0, 2 * time.Hour, false},
		{"daily", 0, 25 * time.Hour, true},
		{"weekly", 0, 3 * 24 * time.Hour, false},
		{"weekly", 0, 8 * 24 * time.Hour, true},
		{"every_12h", 0, 13 * time.Hour, true},
		{"every_2d", 0, 13 * time.Hour, false},
		{"refresh", 6 * time.Hour, time.Hour, false},
		{"refresh", 6 * time.Hour, 7 * time.Hour, true},
		// Without pull_refresh_after, refresh pulls every time, as in Compose.
		{"refresh", 0, time.Minute, true},
		{"missing", 0, 365 * 24 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.policy+"/"+tt.age.String(), func(t *testing.T) {
			f := dockerfake.New()
			f.AddImage(engine.Image{ID: "sha256:old", RepoTags: []string{"cache:7"}, LastTagTime: time.Now().Add(-tt.age)})
			f.Registry["cache:7"] = engine.Image{ID: "sha256:new"}
			p := &spec.Project{Name: "p", Services: map[string]*spec.Service{
				"cache": {Name: "cache", Image: "cache:7", PullPolicy: tt.policy, PullRefreshAfter: tt.after},
			}}
			ids, err := engine.New(f, nil, nil).EnsureImages(context.Background(), p, nil, engine.ImageOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if pulled := f.Calls("ImagePull") == 1; pulled != tt.wantPull {
				t.Errorf("pulled %v, want %v", pulled, tt.wantPull)
			}
			want := "sha256:old"
			if tt.wantPull {
				want = "sha256:new"
			}
			if ids["cache"] != want {
				t.Errorf("image %s, want %s", ids["cache"], want)
			}
		})
	}
}
