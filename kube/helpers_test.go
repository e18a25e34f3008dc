package kube_test

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/stack-dev/stack/kube"
)

// find returns the object of kind and name, failing the test without it.
func find[T kube.Object](t *testing.T, m *kube.Manifests, kind, name string) T {
	t.Helper()
	for _, o := range m.Objects {
		if o.GetObjectKind().GroupVersionKind().Kind == kind && o.GetName() == name {
			typed, ok := o.(T)
			if !ok {
				t.Fatalf("%s %s is a %T", kind, name, o)
			}
			return typed
		}
	}
	t.Fatalf("no %s %s in the export", kind, name)
	var zero T
	return zero
}

// has reports whether the export has an object of kind and name.
func has(m *kube.Manifests, kind, name string) bool {
	for _, o := range m.Objects {
		if o.GetObjectKind().GroupVersionKind().Kind == kind && o.GetName() == name {
			return true
		}
	}
	return false
}

// waitsFor returns the init container of pod that waits for dep.
func waitsFor(t *testing.T, pod corev1.PodSpec, dep string) corev1.Container {
	t.Helper()
	for _, c := range pod.InitContainers {
		if c.Name == "wait-"+dep {
			return c
		}
	}
	t.Fatalf("no init container waits for %s (have %v)", dep, initNames(pod))
	return corev1.Container{}
}

func initNames(pod corev1.PodSpec) []string {
	var names []string
	for _, c := range pod.InitContainers {
		names = append(names, c.Name)
	}
	return names
}

func script(c corev1.Container) string { return strings.Join(c.Command, " ") }
