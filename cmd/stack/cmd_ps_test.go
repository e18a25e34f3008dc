package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
)

// TestPsJSONMatchesCompose compares the keys and value kinds of `stack ps
// --format json` with what `docker compose ps --format json` (Compose v5)
// printed for the same containers, checked in as testdata/compose-ps.json:
// parsers written for Compose's output must work unchanged.
func TestPsJSONMatchesCompose(t *testing.T) {
	sample, err := os.ReadFile("testdata/compose-ps.json")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(sample))
	sc.Buffer(nil, 1<<20)
	var compose []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("compose sample: %v", err)
		}
		compose = append(compose, m)
	}
	if len(compose) == 0 {
		t.Fatal("compose sample has no rows")
	}

	row := newPsRow(engine.ContainerSummary{
		ID: "0123456789abcdef0123", Name: "demo-web-1", Service: "web", Number: 1, Image: "demo:1",
		State: "running", Status: "Up 3 seconds", Created: time.Now().Add(-3 * time.Second),
		Project: "demo", Labels: map[string]string{engine.LabelProject: "demo"},
		Publishers: []engine.PortBinding{{HostIP: "0.0.0.0", HostPort: "8080", ContainerPort: 80, Protocol: "tcp"}},
		Networks:   []string{"demo_default"},
		Details:    &engine.ContainerDetails{Command: "/bin/serve --port 80", Mounts: []string{"demo_data"}, LocalVolumes: 1},
	}, time.Now(), true)
	b, err := json.Marshal(row)
	if err != nil {
		t.Fatal(err)
	}
	var ours map[string]any
	if err := json.Unmarshal(b, &ours); err != nil {
		t.Fatal(err)
	}
	for _, theirs := range compose {
		compareShape(t, "", theirs, ours)
	}
}

// compareShape fails unless a and b have the same keys with values of the
// same JSON kind, recursively into the first element of arrays of objects.
func compareShape(t *testing.T, path string, compose, ours map[string]any) {
	t.Helper()
	for _, k := range sortedMapKeys(compose) {
		v, ok := ours[k]
		if !ok {
			t.Errorf("key %s%s: in Compose's output, missing from ours", path, k)
			continue
		}
		if kc, ko := reflect.TypeOf(compose[k]), reflect.TypeOf(v); kc != ko && compose[k] != nil {
			t.Errorf("key %s%s: Compose has a %v, ours a %v", path, k, kc, ko)
			continue
		}
		ca, _ := compose[k].([]any)
		oa, _ := v.([]any)
		if len(ca) > 0 && len(oa) > 0 {
			cm, cok := ca[0].(map[string]any)
			om, ook := oa[0].(map[string]any)
			if cok && ook {
				compareShape(t, path+k+"[].", cm, om)
			}
		}
	}
	for _, k := range sortedMapKeys(ours) {
		if _, ok := compose[k]; !ok {
			t.Errorf("key %s%s: in ours, not in Compose's output", path, k)
		}
	}
}

func sortedMapKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
