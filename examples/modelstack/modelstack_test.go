// Package modelstack_test brings the model-serving example up against the
// real engine, as `make up` does, and checks it serves predictions.
package modelstack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/spec"
)

type prediction struct {
	Prediction   string `json:"prediction"`
	ModelVersion string `json:"model_version"`
	ServedBy     string `json:"served_by"`
}

func TestModelStack(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the whole example")
	}
	d := testenv.Docker(t)
	testenv.ModelStackBins(t)
	for _, file := range []string{"stack.hcl", "compose.yaml"} {
		t.Run(file, func(t *testing.T) {
			project := testenv.Project(t)
			testenv.Cleanup(t, project)
			p, err := spec.Load(spec.LoadOptions{Files: []string{file}, ProjectName: project})
			if err != nil {
				t.Fatal(err)
			}
			// Ephemeral host ports, so the test runs beside a `make up`.
			for _, s := range p.Services {
				for i := range s.Ports {
					s.Ports[i].HostPort = ""
				}
			}
			for _, v := range p.Volumes {
				v.Labels = map[string]string{testenv.LabelTest: "1"}
			}
			e := engine.New(d, nil, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			if _, err := e.Up(ctx, p, engine.UpOptions{Wait: true, WaitTimeout: 3 * time.Minute}); err != nil {
				t.Fatalf("up: %v", err)
			}
			gateway := hostAddr(t, e, project, "gateway")

			fromRegistry := predict(t, gateway+"/predict", []float64{5.1, 3.5, 1.4, 0.2})
			if fromRegistry.Prediction != "setosa" || !strings.HasPrefix(fromRegistry.ModelVersion, "sha-") {
				t.Errorf("model-server: %+v, want setosa from a trained model version", fromRegistry)
			}
			embedded := predict(t, gateway+"/embedded/predict", []float64{6.7, 3.0, 5.2, 2.3})
			if embedded.Prediction != "virginica" || embedded.ModelVersion != "iris-embedded-1" {
				t.Errorf("model-server-embedded: %+v, want virginica from iris-embedded-1", embedded)
			}

			// Scaled to 3, the gateway still answers, and spreads over the replicas.
			if _, err := e.Up(ctx, p, engine.UpOptions{
				Plan: engine.PlanOptions{Services: []string{"model-server"}, Scale: map[string]int{"model-server": 3}, NoRecreate: true},
				Wait: true, WaitTimeout: 2 * time.Minute,
			}); err != nil {
				t.Fatalf("scale to 3: %v", err)
			}
			rows, err := e.Ps(ctx, project, engine.PsOptions{Services: []string{"model-server"}})
			if err != nil || len(rows) != 3 {
				t.Fatalf("model-server replicas after scale: %d (%v)", len(rows), err)
			}
			servedBy := map[string]bool{}
			deadline := time.Now().Add(30 * time.Second) // the gateway re-resolves DNS every 5s
			for len(servedBy) < 3 && time.Now().Before(deadline) {
				servedBy[predict(t, gateway+"/predict", []float64{5.9, 3.0, 4.2, 1.5}).ServedBy] = true
			}
			if len(servedBy) < 3 {
				t.Errorf("predictions came from %d replicas after scaling to 3, want 3", len(servedBy))
			}

			if err := e.Down(ctx, project, engine.DownOptions{Volumes: true}); err != nil {
				t.Fatalf("down: %v", err)
			}
			left, err := d.ContainerList(ctx, engine.Labels{engine.LabelProject: project})
			if err != nil || len(left) > 0 {
				t.Errorf("left after down -v: %d containers (%v)", len(left), err)
			}
		})
	}
}

// hostAddr is the http://127.0.0.1:port a service's first published port
// got.
func hostAddr(t *testing.T, e *engine.Engine, project, service string) string {
	t.Helper()
	rows, err := e.Ps(context.Background(), project, engine.PsOptions{Services: []string{service}})
	if err != nil || len(rows) == 0 || len(rows[0].Ports) == 0 {
		t.Fatalf("ports of %s: %+v %v", service, rows, err)
	}
	host, _, _ := strings.Cut(rows[0].Ports[0], "->")
	return "http://" + host
}

func predict(t *testing.T, url string, features []float64) prediction {
	t.Helper()
	p, err := tryPredict(url, features)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	return p
}

func tryPredict(url string, features []float64) (prediction, error) {
	body, _ := json.Marshal(map[string]any{"features": features})
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return prediction{}, err
	}
	defer resp.Body.Close()
	var p prediction
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || resp.StatusCode != 200 {
		return p, fmt.Errorf("status %d: %v", resp.StatusCode, err)
	}
	return p, nil
}
