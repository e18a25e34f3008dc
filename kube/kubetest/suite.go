// Package kubetest is the conformance suite of kube.DryRunner: every
// implementation, the real API server and the fake, must accept valid
// manifests and refuse the same invalid ones.
package kubetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/stack-dev/stack/kube"
)

// Run runs the suite against the DryRunner that newRunner returns.
func Run(t *testing.T, newRunner func(t *testing.T) kube.DryRunner) {
	cases := []struct {
		name    string
		yaml    string
		refused []string // names of the refused objects, in order; nil means accepted
		msg     string   // a part of the first refusal's message
	}{
		{name: "valid", yaml: valid},
		{name: "unknown field", yaml: unknownField, refused: []string{"web-unknown"}, msg: "imagePullPolicyy"},
		{name: "negative replicas", yaml: negativeReplicas, refused: []string{"web-negative"}, msg: "replicas"},
		{name: "selector does not match the template", yaml: selectorMismatch, refused: []string{"web-mismatch"}, msg: "selector"},
		{name: "port out of range", yaml: portOutOfRange, refused: []string{"web-port"}, msg: "99999"},
		{name: "mount of a missing volume", yaml: missingVolume, refused: []string{"web-mount"}, msg: "data"},
		{name: "job that restarts always", yaml: jobAlways, refused: []string{"migrate"}, msg: "restartPolicy"},
		{name: "only the bad object of several", yaml: valid + "\n---\n" + negativeReplicas, refused: []string{"web-negative"}, msg: "replicas"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRunner(t)
			err := r.ServerDryRun(context.Background(), parse(t, tc.yaml))
			if tc.refused == nil {
				if err != nil {
					t.Fatalf("refused valid manifests: %v", err)
				}
				return
			}
			var ce *kube.CheckError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *kube.CheckError", err)
			}
			var names []string
			for _, r := range ce.Rejections {
				names = append(names, r.Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.refused, ",") {
				t.Fatalf("refused %v, want %v (%v)", names, tc.refused, err)
			}
			if !strings.Contains(ce.Rejections[0].Message, tc.msg) {
				t.Errorf("message %q does not mention %q", ce.Rejections[0].Message, tc.msg)
			}
		})
	}
}

func parse(t *testing.T, stream string) []kube.Object {
	t.Helper()
	var objs []kube.Object
	for _, doc := range strings.Split(stream, "\n---\n") {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, &unstructured.Unstructured{Object: m})
	}
	return objs
}

const valid = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80}]
        volumeMounts: [{name: data, mountPath: /data}]
      volumes: [{name: data, persistentVolumeClaim: {claimName: web-data}}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: "busybox:1.36", command: [sh, -c, "echo ok"]}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: web-data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data: {MODE: production}`

const unknownField = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web-unknown}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        imagePullPolicyy: Always`

const negativeReplicas = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web-negative}
spec:
  replicas: -1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]`

const selectorMismatch = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web-mismatch}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: other}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]`

const portOutOfRange = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web-port}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27", ports: [{containerPort: 99999}]}]`

const missingVolume = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web-mount}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27", volumeMounts: [{name: data, mountPath: /data}]}]`

const jobAlways = `apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      restartPolicy: Always
      containers: [{name: migrate, image: "busybox:1.36"}]`
