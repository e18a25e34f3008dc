package main

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
)

// images, volumes and stats --format json print the keys and value kinds
// of Compose v5's (and, for stats, the docker CLI's) output for the same
// containers (testdata/compose-*.json, docker-stats.json).
func TestImagesAndVolumesJSONMatchCompose(t *testing.T) {
	tests := []struct {
		sample string
		lines  bool // JSON lines rather than one array
		ours   any
	}{
		{"testdata/compose-images.json", false, []imageRow{newImageRow(engine.ContainerImage{
			Container: "demo-web-1", Service: "web", Ref: "demo:1", RepoTags: []string{"demo:1"},
			ImageDetails: engine.ImageDetails{ID: "sha256:abc", Size: 42, Created: time.Now(), LastTagTime: time.Now(), OS: "linux", Architecture: "amd64"},
		})}},
		{"testdata/compose-volumes.json", true, newVolumeRow(engine.VolumeSummary{
			Volume:        engine.Volume{Name: "demo_data", Driver: "local", Labels: map[string]string{engine.LabelProject: "demo"}},
			VolumeDetails: engine.VolumeDetails{Mountpoint: "/var/lib/docker/volumes/demo_data/_data", Scope: "local"},
		})},
		{"testdata/docker-stats.json", true, newStatsRow(engine.ContainerStats{
			ID: "0123456789abcdef", Name: "demo-web-1", Service: "web",
			Stats: engine.Stats{CPUPercent: 1.5, MemUsage: 1 << 20, MemLimit: 1 << 30, PIDs: 3},
		}, true)},
	}
	for _, tt := range tests {
		t.Run(tt.sample, func(t *testing.T) {
			sample, err := os.ReadFile(tt.sample)
			if err != nil {
				t.Fatal(err)
			}
			var theirs []map[string]any
			if tt.lines {
				var m map[string]any
				if err := json.Unmarshal(sample, &m); err != nil {
					t.Fatal(err)
				}
				theirs = append(theirs, m)
			} else if err := json.Unmarshal(sample, &theirs); err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(tt.ours)
			if err != nil {
				t.Fatal(err)
			}
			var ours map[string]any
			if tt.lines {
				err = json.Unmarshal(b, &ours)
			} else {
				var list []map[string]any
				err = json.Unmarshal(b, &list)
				if len(list) > 0 {
					ours = list[0]
				}
			}
			if err != nil || ours == nil {
				t.Fatalf("ours: %s, %v", b, err)
			}
			if len(theirs) == 0 {
				t.Fatal("empty sample")
			}
			for _, m := range theirs {
				compareShape(t, "", m, ours)
			}
		})
	}
}
