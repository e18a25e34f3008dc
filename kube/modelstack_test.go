package kube_test

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/stack-dev/stack/kube"
)

// TestModelStackBehaviour checks that the export of the model-serving
// example keeps what the stack does under Docker, in both of its forms.
func TestModelStackBehaviour(t *testing.T) {
	for _, file := range []string{"../examples/modelstack/stack.hcl", "../examples/modelstack/compose.yaml"} {
		t.Run(file, func(t *testing.T) {
			m := export(t, exportCase{file: file})

			// The train Job runs before the model servers start: train is a
			// Job that runs once, and model-server waits for it to complete.
			train := find[*batchv1.Job](t, m, "Job", "train")
			if p := train.Spec.Template.Spec.RestartPolicy; p != corev1.RestartPolicyNever {
				t.Errorf("train restartPolicy = %s, want Never", p)
			}
			if b := train.Spec.BackoffLimit; b == nil || *b != 0 {
				t.Errorf("train backoffLimit = %v, want 0 (restart: no)", b)
			}
			server := find[*appsv1.Deployment](t, m, "Deployment", "model-server")
			wait := waitsFor(t, server.Spec.Template.Spec, "train")
			if s := script(wait); !strings.Contains(s, "kubectl wait --for=condition=complete") || !strings.Contains(s, "job/train") {
				t.Errorf("model-server's wait for train is %q, want a kubectl wait for job/train to complete", s)
			}
			if server.Spec.Template.Spec.ServiceAccountName == "" || !has(m, "RoleBinding", server.Spec.Template.Spec.ServiceAccountName) {
				t.Errorf("model-server runs as %q, which is not bound to a Role that may read Jobs", server.Spec.Template.Spec.ServiceAccountName)
			}
			// And train itself waits for the model registry to be healthy.
			if s := script(waitsFor(t, train.Spec.Template.Spec, "model-registry")); !strings.Contains(s, "/dev/tcp/model-registry/8080") {
				t.Errorf("train's wait for model-registry is %q", s)
			}

			// The model-server has 2 replicas with a readiness probe.
			if r := server.Spec.Replicas; r == nil || *r != 2 {
				t.Errorf("model-server replicas = %v, want 2", r)
			}
			c := server.Spec.Template.Spec.Containers[0]
			if c.ReadinessProbe == nil || c.ReadinessProbe.Exec == nil || strings.Join(c.ReadinessProbe.Exec.Command, " ") != "/model-server -healthcheck" {
				t.Fatalf("model-server readiness probe = %+v, want exec /model-server -healthcheck", c.ReadinessProbe)
			}
			if c.ReadinessProbe.PeriodSeconds != 10 || c.ReadinessProbe.TimeoutSeconds != 3 || c.ReadinessProbe.FailureThreshold != 3 {
				t.Errorf("readiness probe period/timeout/failures = %d/%d/%d, want 10/3/3 (interval, timeout, retries)",
					c.ReadinessProbe.PeriodSeconds, c.ReadinessProbe.TimeoutSeconds, c.ReadinessProbe.FailureThreshold)
			}
			if c.StartupProbe == nil || c.StartupProbe.PeriodSeconds != 1 || c.StartupProbe.FailureThreshold < 30 {
				t.Errorf("startup probe = %+v, want one every 1s (start_interval) for at least the 30s start period", c.StartupProbe)
			}
			if u := server.Spec.Strategy.RollingUpdate; u == nil || u.MaxUnavailable == nil || u.MaxUnavailable.IntValue() != 0 {
				t.Errorf("model-server rolling update = %+v, want maxUnavailable 0 so a rollout waits for ready pods", u)
			}

			// The gateway waits for the model servers to be ready: its init
			// containers connect to their Services, which only route to ready
			// pods, and those Services select the model servers' pods.
			gateway := find[*appsv1.Deployment](t, m, "Deployment", "gateway")
			for _, dep := range []string{"model-server", "model-server-embedded", "predlog"} {
				s := script(waitsFor(t, gateway.Spec.Template.Spec, dep))
				if !strings.Contains(s, "/dev/tcp/"+dep+"/8080") {
					t.Errorf("gateway's wait for %s is %q, want a connection to %s:8080", dep, s, dep)
				}
				svc := find[*corev1.Service](t, m, "Service", dep)
				workload := find[*appsv1.Deployment](t, m, "Deployment", dep)
				for k, v := range svc.Spec.Selector {
					if workload.Spec.Template.Labels[k] != v {
						t.Errorf("Service %s selects %s=%s, which %s's pods do not carry", dep, k, v, dep)
					}
				}
				if dep != "predlog" && workload.Spec.Template.Spec.Containers[0].ReadinessProbe == nil {
					t.Errorf("%s has no readiness probe, so its Service would answer before it is healthy", dep)
				}
			}

			// The registries' storage is on PersistentVolumeClaims.
			for svc, claim := range map[string]string{"registry": "registry-data", "model-registry": "models", "predlog": "predlogs"} {
				find[*corev1.PersistentVolumeClaim](t, m, "PersistentVolumeClaim", claim)
				d := find[*appsv1.Deployment](t, m, "Deployment", svc)
				found := false
				for _, v := range d.Spec.Template.Spec.Volumes {
					if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == claim {
						found = true
					}
				}
				if !found {
					t.Errorf("%s does not mount the claim %s", svc, claim)
				}
			}

			// Published ports are said, not silently dropped.
			if a := find[*corev1.Service](t, m, "Service", "gateway").Annotations[kube.AnnotationPublished]; a != "127.0.0.1:8080->8080/tcp" {
				t.Errorf("gateway published annotation = %q", a)
			}
		})
	}
}
