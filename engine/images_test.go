package engine

import (
	"slices"
	"testing"

	"github.com/stack-dev/stack/spec"
)

func TestDecideImage(t *testing.T) {
	build := &spec.Build{Context: "/src"}
	tests := []struct {
		name    string
		service spec.Service
		opts    ImageOptions
		want    imageAction
		wantErr bool
	}{
		{"image, default policy", spec.Service{Image: "redis"}, ImageOptions{}, imagePullMissing, false},
		{"image, daily", spec.Service{Image: "redis", PullPolicy: "daily"}, ImageOptions{}, imagePullStale, false},
		{"image, every_12h", spec.Service{Image: "redis", PullPolicy: "every_12h"}, ImageOptions{}, imagePullStale, false},
		{"image, refresh", spec.Service{Image: "redis", PullPolicy: "refresh"}, ImageOptions{}, imagePullStale, false},
		{"image, every_ nonsense", spec.Service{Image: "redis", PullPolicy: "every_soon"}, ImageOptions{}, 0, true},
		{"build, weekly builds", spec.Service{Build: build, PullPolicy: "weekly"}, ImageOptions{}, imageBuild, false},
		{"image, missing", spec.Service{Image: "redis", PullPolicy: "missing"}, ImageOptions{}, imagePullMissing, false},
		{"image, always", spec.Service{Image: "redis", PullPolicy: "always"}, ImageOptions{}, imagePull, false},
		{"image, never", spec.Service{Image: "redis", PullPolicy: "never"}, ImageOptions{}, imageUseLocal, false},
		{"image, --pull always overrides", spec.Service{Image: "redis", PullPolicy: "never"}, ImageOptions{Pull: "always"}, imagePull, false},
		{"image, --pull never overrides", spec.Service{Image: "redis"}, ImageOptions{Pull: "never"}, imageUseLocal, false},
		{"image, build policy without build", spec.Service{Image: "redis", PullPolicy: "build"}, ImageOptions{}, 0, true},
		{"unknown policy", spec.Service{Image: "redis", PullPolicy: "sometimes"}, ImageOptions{}, 0, true},
		{"build only", spec.Service{Build: build}, ImageOptions{}, imageBuild, false},
		{"build, policy build", spec.Service{Build: build, PullPolicy: "build"}, ImageOptions{Pull: "always"}, imageBuild, false},
		{"build with image, always", spec.Service{Build: build, Image: "me/app", PullPolicy: "always"}, ImageOptions{}, imagePullElseBuild, false},
		{"build with image, always, --build", spec.Service{Build: build, Image: "me/app", PullPolicy: "always"}, ImageOptions{Build: true}, imageBuild, false},
		{"build without image, always", spec.Service{Build: build, PullPolicy: "always"}, ImageOptions{}, imageBuild, false},
		{"build, never", spec.Service{Build: build, Image: "me/app", PullPolicy: "never"}, ImageOptions{}, imageBuild, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.service.Name = "svc"
			got, err := decideImage(&tt.service, tt.opts)
			if (err != nil) != tt.wantErr || (err == nil && got != tt.want) {
				t.Errorf("got %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestGroupBuildsSharesIdenticalBuilds(t *testing.T) {
	p := &spec.Project{Name: "demo", Services: map[string]*spec.Service{
		"api":    {Name: "api", Build: &spec.Build{Context: "/src", Args: map[string]string{"A": "1"}}},
		"worker": {Name: "worker", Image: "me/worker", Build: &spec.Build{Context: "/src/", Args: map[string]string{"A": "1"}, Tags: []string{"me/worker:dev"}}},
		"other":  {Name: "other", Build: &spec.Build{Context: "/src", Args: map[string]string{"A": "2"}}},
		"target": {Name: "target", Build: &spec.Build{Context: "/src", Args: map[string]string{"A": "1"}, Target: "dev"}},
	}}
	groups := groupBuilds(p, []string{"api", "other", "target", "worker"})
	var got [][]string
	for _, g := range groups {
		got = append(got, append(slices.Clone(g.Services), g.Tags...))
	}
	want := [][]string{
		{"api", "worker", "demo-api", "me/worker", "me/worker:dev"},
		{"other", "demo-other"},
		{"target", "demo-target"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("groups %q, want %q", got, want)
	}
}

func TestLayerProgressSumsTransfers(t *testing.T) {
	l := newLayerProgress("Pull complete", "Already exists")
	steps := []struct {
		p                  Progress
		wantCur, wantTotal int64
	}{
		{Progress{ID: "a", Status: "Pulling fs layer"}, 0, 0},
		{Progress{ID: "a", Status: "Downloading", Current: 10, Total: 100}, 10, 100},
		{Progress{ID: "b", Status: "Downloading", Current: 5, Total: 50}, 15, 150},
		// Extraction restarts the count; it must not move the sum back.
		{Progress{ID: "a", Status: "Extracting", Current: 1, Total: 100}, 15, 150},
		{Progress{ID: "a", Status: "Pull complete"}, 105, 150},
		{Progress{ID: "b", Status: "Pull complete"}, 150, 150},
	}
	for i, s := range steps {
		l.update(s.p, "Downloading")
		if cur, total := l.sum(); cur != s.wantCur || total != s.wantTotal {
			t.Errorf("step %d (%s %s): %d/%d, want %d/%d", i, s.p.ID, s.p.Status, cur, total, s.wantCur, s.wantTotal)
		}
	}
}
