package mobydocker_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
)

// TestImageInspectExposedPorts: the ports a Dockerfile EXPOSEs come back
// from ImageInspect, sorted, as the Kubernetes export reads them.
func TestImageInspectExposedPorts(t *testing.T) {
	env := newImageEnv(t)
	dir := buildContext(t, imageDockerfile+"EXPOSE 8080 53/udp\nEXPOSE 9000/tcp\n")
	p := env.projectOf(&spec.Service{Name: "exposer", Build: &spec.Build{Context: dir}})
	if _, err := env.ensure(p, engine.ImageOptions{}); err != nil {
		t.Fatal(err)
	}
	img, err := env.docker.ImageInspect(context.Background(), engine.ImageName(p, p.Services["exposer"]))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"53/udp", "8080/tcp", "9000/tcp"}; !slices.Equal(img.ExposedPorts, want) {
		t.Errorf("ExposedPorts = %q, want %q", img.ExposedPorts, want)
	}
}
