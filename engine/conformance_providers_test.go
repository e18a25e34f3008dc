package engine_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
	"github.com/stack-dev/stack/provider/providerfake"
	"github.com/stack-dev/stack/spec"
)

// TestProviderService runs a provider service: in the real world with the
// provider binary the test builds (provider/testdata/fakecloud) on PATH, in
// the fake one with providerfake, which emulates it. up runs its `compose
// up`, the dependent gets DATABASE_URL and SECRET_KEY, down runs its
// `compose down`. Not parallel: it sets PATH.
func TestProviderService(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "fakecloud"), "../provider/testdata/fakecloud").CombinedOutput(); err != nil {
		t.Fatalf("build fakecloud: %v\n%s", err, out)
	}
	state := t.TempDir()
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKECLOUD_STATE", state)
	t.Setenv("FAKECLOUD_METADATA", "1")    // declares stop
	t.Setenv("DOCKER_CONFIG", t.TempDir()) // no CLI plugin of the same name
	for _, w := range worlds {
		t.Run(w.name, func(t *testing.T) {
			e := newEnv(t, w)
			exists := func() bool {
				_, err := os.Stat(filepath.Join(state, e.project+"-database"))
				return err == nil
			}
			stopped := func() bool {
				_, err := os.Stat(filepath.Join(state, e.project+"-database.stopped"))
				return err == nil
			}
			if !w.real {
				f := providerfake.New()
				e.engine = e.engine.WithProviders(f)
				exists = func() bool { return f.Exists(e.project, "database") }
				stopped = func() bool { return f.Stopped(e.project, "database") }
			}
			p := e.stack()
			p.Services["database"] = &spec.Service{Name: "database", Replicas: 1, Provider: &spec.Provider{
				Type: "fakecloud", Options: map[string][]string{"type": {"mysql"}},
			}}
			app := e.service(p, "app")
			dependOn(app, "database", spec.ConditionStarted)
			plan := e.up(p, engine.UpOptions{})
			if !exists() {
				t.Fatal("provider up did not run")
			}
			env := appEnv(t, plan)
			for _, want := range []string{"DATABASE_URL=fake://" + e.project + "/database?type=mysql", "SECRET_KEY=xyz"} {
				if !slices.Contains(env, want) {
					t.Errorf("app env %v lacks %s", env, want)
				}
			}
			if names(e.containers()) != e.project+"-app-1" {
				t.Errorf("containers: %s (a provider service has none)", names(e.containers()))
			}
			// stop stops the provider's resource after the containers,
			// when the provider declares stop (fakecloud does with
			// FAKECLOUD_METADATA=1, set below for the real world).
			if err := e.engine.Stop(e.ctx(), e.project, engine.StopOptions{Project: p}); err != nil {
				t.Fatal(err)
			}
			if !stopped() {
				t.Error("provider stop did not run")
			}
			// up is idempotent: the provider says the same, app stays.
			before := e.containers()[e.project+"-app-1"].ID
			e.up(p, engine.UpOptions{})
			if e.containers()[e.project+"-app-1"].ID != before {
				t.Error("second up recreated app")
			}
			if err := e.engine.Down(e.ctx(), e.project, engine.DownOptions{Project: p}); err != nil {
				t.Fatal(err)
			}
			if exists() {
				t.Error("provider down did not run")
			}
		})
	}
}

func appEnv(t *testing.T, plan *engine.Plan) []string {
	t.Helper()
	for _, sp := range plan.Services {
		if strings.HasSuffix(sp.Service, "app") && len(sp.Actions) > 0 {
			return sp.Actions[0].Spec.Env
		}
	}
	t.Fatalf("no plan for app")
	return nil
}

// A failing provider fails up before any container is created, with the
// provider's message on the service's row.
func TestFailingProvider(t *testing.T) {
	fakeOnly(t, func(t *testing.T, e *env, _ *dockerfake.Fake) {
		var rows []string
		e.engine = engine.New(e.docker, nil, func(s engine.Status) {
			if s.Phase == engine.PhaseError {
				rows = append(rows, s.Object+": "+s.Detail)
			}
		}).WithProviders(providerfake.New())
		p := e.stack()
		p.Services["database"] = &spec.Service{Name: "database", Replicas: 1, Provider: &spec.Provider{
			Type: "fakecloud", Options: map[string][]string{"fail": {"quota exceeded"}},
		}}
		dependOn(e.service(p, "app"), "database", spec.ConditionStarted)
		_, err := e.engine.Up(e.ctx(), p, engine.UpOptions{})
		if err == nil || !strings.Contains(err.Error(), "quota exceeded") {
			t.Fatalf("up: %v, want the provider's error", err)
		}
		if len(e.containers()) != 0 {
			t.Errorf("containers created: %s", names(e.containers()))
		}
		if len(rows) != 1 || !strings.HasPrefix(rows[0], "database: ") {
			t.Errorf("error rows: %q", rows)
		}
	})
}
