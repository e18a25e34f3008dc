package testenv

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
)

func TestProjectIsUniqueAndDockerSafe(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	a, b := Project(t), Project(t)
	if a == b {
		t.Errorf("two projects of one test are both %q", a)
	}
	for _, p := range []string{a, b} {
		if !valid.MatchString(p) {
			t.Errorf("project %q is not a valid compose project name", p)
		}
	}
	t.Run("Sub Test/With: odd ★ chars and a very long name that goes on", func(t *testing.T) {
		if p := Project(t); !valid.MatchString(p) || len(p) > 40 {
			t.Errorf("project %q: want a short valid name", p)
		}
	})
}

func TestImageIsBuiltAndCached(t *testing.T) {
	ref := TestImage(t)
	if got := imageHash(ref); got == "" {
		t.Fatalf("image %s has no %s label", ref, labelImageHash)
	}
	// A second call in the same process must not rebuild.
	start := time.Now()
	TestImage(t)
	if d := time.Since(start); d > time.Second {
		t.Errorf("second TestImage took %v", d)
	}
}

func TestCleanupRemovesEverythingLabelled(t *testing.T) {
	d := Docker(t)
	image := TestImage(t)
	project := Project(t)
	ctx := t.Context()
	labels := Labels(project)

	// A failing test's cleanup is what matters, so run one in a subtest
	// that creates objects and let its Cleanup remove them.
	t.Run("objects", func(t *testing.T) {
		Cleanup(t, project)
		if _, err := d.NetworkCreate(ctx, engine.NetworkSpec{Name: project + "_net", Labels: labels}); err != nil {
			t.Fatal(err)
		}
		if err := d.VolumeCreate(ctx, engine.VolumeSpec{Name: project + "_vol", Labels: labels}); err != nil {
			t.Fatal(err)
		}
		id, err := d.ContainerCreate(ctx, engine.ContainerSpec{
			Name: project + "-c", Image: image, Labels: labels,
			Networks: []engine.NetworkAttachment{{Network: project + "_net"}},
			Mounts:   []engine.Mount{{Type: "volume", Source: project + "_vol", Target: "/data"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.ContainerStart(ctx, id); err != nil {
			t.Fatal(err)
		}
	})

	cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	filter := engine.Labels{engine.LabelProject: project}
	containers, _ := d.ContainerList(cctx, filter)
	networks, _ := d.NetworkList(cctx, filter)
	volumes, _ := d.VolumeList(cctx, filter)
	if n := len(containers) + len(networks) + len(volumes); n != 0 {
		t.Errorf("after cleanup %d objects of %s remain: %v %v %v", n, project, containers, networks, volumes)
	}
}
