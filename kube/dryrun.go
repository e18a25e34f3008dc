package kube

import (
	"context"
	"fmt"
	"strings"
)

// DryRunner validates manifests against a Kubernetes API server without
// persisting them (server-side dry run, strict field validation). It is
// the export's one way to a cluster: [APIServer] is the real one, kubefake
// an in-memory stand-in, and kubetest the suite both pass.
type DryRunner interface {
	// ServerDryRun submits each object and returns one error per object
	// the server refused, nil when it accepted all.
	ServerDryRun(ctx context.Context, objs []Object) error
}

// Rejection is an object the server refused.
type Rejection struct {
	Kind, Name string
	Message    string
}

// CheckError lists the objects a dry run refused.
type CheckError struct {
	Rejections []Rejection
}

func (e *CheckError) Error() string {
	lines := make([]string, len(e.Rejections))
	for i, r := range e.Rejections {
		lines[i] = fmt.Sprintf("%s %s: %s", r.Kind, r.Name, r.Message)
	}
	return "the API server refused:\n" + strings.Join(lines, "\n")
}
