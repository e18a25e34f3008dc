package spec

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// TestConfigAgreesWithComposeV5 compares `stack config --format json` of
// the runtime fixture with what `docker compose config --format json`
// (Compose v5, built by hand beside the project) printed for it, kept in
// testdata/composev5. The fixture's folder is written $FIXTURE there.
//
// Where the two differ by design, both sides are brought to one form:
//   - stack writes cpus, mem_limit, mem_reservation, pids_limit and gpus as
//     deploy.resources when a service has any of them there, and
//     deploy.restart_policy as restart; Compose reads both forms the same
//     (restart_policy's delay and window are swarm's, ignored by both);
//   - compose-go prints blkio_config devices with capitalised keys ("Path"),
//     which its own schema then rejects; stack writes "path";
//   - stack resolves label_file into labels and does not print the files;
//   - Compose v5 drops pull_refresh_after from its output; stack keeps it;
//   - stack writes deploy.replicas as scale, and leaves out empty objects
//     (volume: {}) and the file's x- extensions.
func TestConfigAgreesWithComposeV5(t *testing.T) {
	for _, fixture := range []struct{ name, dir string }{
		{"runtime", "testdata/compose/runtime"},
		{"modelstack", "../examples/modelstack"},
	} {
		t.Run(fixture.name, func(t *testing.T) {
			dir, err := filepath.Abs(fixture.dir)
			if err != nil {
				t.Fatal(err)
			}
			compareWithComposeV5(t, dir, "testdata/composev5/"+fixture.name+".json")
		})
	}
}

func compareWithComposeV5(t *testing.T, dir, sample string) {
	want := readJSON(t, sample, dir)
	p, err := Load(LoadOptions{WorkingDir: dir, Files: []string{filepath.Join(dir, "compose.yaml")}, Environ: fixtureEnviron})
	if err != nil {
		t.Fatal(err)
	}
	b, err := MarshalCompose(p, "json")
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, doc := range []map[string]any{want, got} {
		for _, svc := range doc["services"].(map[string]any) {
			foldResources(svc.(map[string]any))
		}
		lowerKeys(doc)
		for k := range doc {
			if strings.HasPrefix(k, "x-") {
				delete(doc, k) // extensions: the file's own anchors
			}
		}
		dropEmptyValues(doc)
	}
	wantSvcs, gotSvcs := want["services"].(map[string]any), got["services"].(map[string]any)
	for name, w := range wantSvcs {
		ws, gs := w.(map[string]any), gotSvcs[name].(map[string]any)
		delete(ws, "label_file")
		delete(gs, "pull_refresh_after")
		for _, key := range sortedAnyKeys(ws, gs) {
			if !reflect.DeepEqual(ws[key], gs[key]) {
				wj, _ := json.Marshal(ws[key])
				gj, _ := json.Marshal(gs[key])
				t.Errorf("services.%s.%s: compose v5 %s, stack %s", name, key, wj, gj)
			}
		}
	}
	for _, top := range []string{"networks", "volumes"} {
		if !reflect.DeepEqual(want[top], got[top]) {
			wj, _ := json.Marshal(want[top])
			gj, _ := json.Marshal(got[top])
			t.Errorf("%s: compose v5 %s, stack %s", top, wj, gj)
		}
	}
}

func readJSON(t *testing.T, file, fixture string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(strings.ReplaceAll(string(b), "$FIXTURE", fixture)), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// foldResources moves deploy.resources into the service-level keys.
func foldResources(svc map[string]any) {
	deploy, _ := svc["deploy"].(map[string]any)
	if deploy == nil {
		return
	}
	if rp, ok := deploy["restart_policy"].(map[string]any); ok {
		svc["restart"] = rp["condition"]
		if n, ok := rp["max_attempts"].(float64); ok {
			svc["restart"] = fmt.Sprintf("%v:%v", rp["condition"], n)
		}
	}
	if n, ok := deploy["replicas"]; ok {
		svc["scale"] = n
	}
	res, _ := deploy["resources"].(map[string]any)
	if l, ok := res["limits"].(map[string]any); ok {
		move(l, "memory", svc, "mem_limit")
		move(l, "pids", svc, "pids_limit")
		move(l, "cpus", svc, "cpus")
	}
	if r, ok := res["reservations"].(map[string]any); ok {
		move(r, "memory", svc, "mem_reservation")
		if devices, ok := r["devices"].([]any); ok {
			for _, d := range devices {
				// gpus: the capability is implied.
				delete(d.(map[string]any), "capabilities")
			}
			svc["gpus"] = devices
		}
	}
	delete(svc, "deploy")
}

func move(from map[string]any, key string, to map[string]any, as string) {
	if v, ok := from[key]; ok {
		to[as] = v
	}
}

// lowerKeys lowercases every object key, for compose-go's untagged fields.
func lowerKeys(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			delete(x, k)
			x[strings.ToLower(k)] = lowerKeys(e)
		}
	case []any:
		for i, e := range x {
			x[i] = lowerKeys(e)
		}
	}
	return v
}

func sortedAnyKeys(maps ...map[string]any) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range maps {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// dropEmptyValues removes empty objects and lists, at any depth.
func dropEmptyValues(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			dropEmptyValues(e)
			switch y := e.(type) {
			case map[string]any:
				if len(y) == 0 {
					delete(x, k)
				}
			case []any:
				if len(y) == 0 {
					delete(x, k)
				}
			}
		}
	case []any:
		for _, e := range x {
			dropEmptyValues(e)
		}
	}
}
