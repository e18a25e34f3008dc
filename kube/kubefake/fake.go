// Package kubefake is an in-memory kube.DryRunner: it decodes each object
// strictly into its Kubernetes type and checks the rules of the API server
// that exported manifests most often break. It passes the suite in
// kube/kubetest, as the real kube.APIServer does.
package kubefake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/stack-dev/stack/kube"
)

// Fake records what it was asked to check.
type Fake struct {
	// Checked counts the objects submitted.
	Checked int
}

// New returns a fake API server.
func New() *Fake { return &Fake{} }

var kinds = map[string]func() any{
	"v1/Namespace":                             func() any { return &corev1.Namespace{} },
	"v1/ServiceAccount":                        func() any { return &corev1.ServiceAccount{} },
	"v1/ConfigMap":                             func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                                func() any { return &corev1.Secret{} },
	"v1/PersistentVolumeClaim":                 func() any { return &corev1.PersistentVolumeClaim{} },
	"v1/Service":                               func() any { return &corev1.Service{} },
	"rbac.authorization.k8s.io/v1/Role":        func() any { return &rbacv1.Role{} },
	"rbac.authorization.k8s.io/v1/RoleBinding": func() any { return &rbacv1.RoleBinding{} },
	"networking.k8s.io/v1/NetworkPolicy":       func() any { return &networkingv1.NetworkPolicy{} },
	"apps/v1/Deployment":                       func() any { return &appsv1.Deployment{} },
	"apps/v1/StatefulSet":                      func() any { return &appsv1.StatefulSet{} },
	"batch/v1/Job":                             func() any { return &batchv1.Job{} },
}

// ServerDryRun checks each object and persists nothing.
func (f *Fake) ServerDryRun(ctx context.Context, objs []kube.Object) error {
	var rejected []kube.Rejection
	for _, o := range objs {
		f.Checked++
		gvk := o.GetObjectKind().GroupVersionKind()
		if msg := check(o); msg != "" {
			rejected = append(rejected, kube.Rejection{Kind: gvk.Kind, Name: o.GetName(), Message: msg})
		}
	}
	if len(rejected) > 0 {
		return &kube.CheckError{Rejections: rejected}
	}
	return nil
}

func check(o kube.Object) string {
	gvk := o.GetObjectKind().GroupVersionKind()
	newObj, ok := kinds[gvk.GroupVersion().String()+"/"+gvk.Kind]
	if !ok {
		return fmt.Sprintf("no matches for kind %q in version %q", gvk.Kind, gvk.GroupVersion())
	}
	b, err := json.Marshal(o)
	if err != nil {
		return err.Error()
	}
	typed := newObj()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(typed); err != nil {
		return "strict decoding error: " + err.Error()
	}
	var errs []string
	name := o.GetName()
	if gvk.Kind == "Service" || gvk.Kind == "Namespace" {
		errs = append(errs, prefix("metadata.name", validation.IsDNS1123Label(name))...)
	} else {
		errs = append(errs, prefix("metadata.name", validation.IsDNS1123Subdomain(name))...)
	}
	for k, v := range o.GetLabels() {
		errs = append(errs, prefix("metadata.labels", validation.IsQualifiedName(k))...)
		errs = append(errs, prefix("metadata.labels", validation.IsValidLabelValue(v))...)
	}
	switch t := typed.(type) {
	case *appsv1.Deployment:
		errs = append(errs, workload(t.Spec.Replicas, t.Spec.Selector, t.Spec.Template)...)
	case *appsv1.StatefulSet:
		tmpl := *t.Spec.Template.DeepCopy()
		for _, c := range t.Spec.VolumeClaimTemplates {
			tmpl.Spec.Volumes = append(tmpl.Spec.Volumes, corev1.Volume{Name: c.Name})
		}
		errs = append(errs, workload(t.Spec.Replicas, t.Spec.Selector, tmpl)...)
	case *batchv1.Job:
		errs = append(errs, podSpec("spec.template.spec", t.Spec.Template.Spec)...)
		if p := t.Spec.Template.Spec.RestartPolicy; p != corev1.RestartPolicyNever && p != corev1.RestartPolicyOnFailure {
			errs = append(errs, `spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"`)
		}
	case *corev1.Service:
		if len(t.Spec.Ports) == 0 && t.Spec.ClusterIP != corev1.ClusterIPNone {
			errs = append(errs, "spec.ports: Required value")
		}
		for _, p := range t.Spec.Ports {
			if p.Port < 1 || p.Port > 65535 {
				errs = append(errs, fmt.Sprintf("spec.ports.port: Invalid value: %d", p.Port))
			}
			if len(t.Spec.Ports) > 1 && p.Name == "" {
				errs = append(errs, "spec.ports.name: Required value")
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Sprintf("%s %q is invalid: %s", gvk.Kind, name, strings.Join(errs, ", "))
	}
	return ""
}

func prefix(field string, errs []string) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = field + ": Invalid value: " + e
	}
	return out
}

func workload(replicas *int32, sel *metav1.LabelSelector, tmpl corev1.PodTemplateSpec) []string {
	var errs []string
	if replicas != nil && *replicas < 0 {
		errs = append(errs, fmt.Sprintf("spec.replicas: Invalid value: %d: must be greater than or equal to 0", *replicas))
	}
	if sel == nil || len(sel.MatchLabels)+len(sel.MatchExpressions) == 0 {
		errs = append(errs, "spec.selector: Required value")
	} else if s, err := metav1.LabelSelectorAsSelector(sel); err != nil || !s.Matches(labels.Set(tmpl.Labels)) {
		errs = append(errs, "spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`")
	}
	if tmpl.Spec.RestartPolicy != "" && tmpl.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		errs = append(errs, "spec.template.spec.restartPolicy: Unsupported value")
	}
	return append(errs, podSpec("spec.template.spec", tmpl.Spec)...)
}

func podSpec(field string, p corev1.PodSpec) []string {
	var errs []string
	if len(p.Containers) == 0 {
		errs = append(errs, field+".containers: Required value")
	}
	volumes := map[string]bool{}
	for _, v := range p.Volumes {
		volumes[v.Name] = true
	}
	for _, c := range append(append([]corev1.Container{}, p.InitContainers...), p.Containers...) {
		if c.Image == "" {
			errs = append(errs, field+".containers.image: Required value")
		}
		errs = append(errs, prefix(field+".containers.name", validation.IsDNS1123Label(c.Name))...)
		for _, port := range c.Ports {
			if port.ContainerPort < 1 || port.ContainerPort > 65535 {
				errs = append(errs, fmt.Sprintf("%s.containers.ports.containerPort: Invalid value: %d: must be between 1 and 65535, inclusive", field, port.ContainerPort))
			}
		}
		for _, m := range c.VolumeMounts {
			if !volumes[m.Name] {
				errs = append(errs, fmt.Sprintf("%s.containers.volumeMounts.name: Not found: %q", field, m.Name))
			}
		}
	}
	return errs
}
