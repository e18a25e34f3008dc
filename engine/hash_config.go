package engine

import "github.com/stack-dev/stack/spec"

// ServiceConfigHash is the hash of a service's container configuration as
// the recreate decision sees it, without the image's ID (which only the
// daemon knows): `config --hash` prints it, so scripts can tell whether a
// service's configuration changed.
func ServiceConfigHash(p *spec.Project, s *spec.Service) string {
	return configHash(containerSpec(p, s, 1, ""))
}
