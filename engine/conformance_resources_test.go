package engine_test

import (
	"strings"
	"testing"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
)

// A network whose configuration changed is recreated with its containers;
// a changed volume is recreated only when the user says its data may go.

func TestChangedNetworkIsRecreated(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		p := e.stack()
		s := e.service(p, "web")
		s.PreStop = []spec.Hook{{Command: []string{"/testimage", "exit", "0"}}}
		e.up(p, engine.UpOptions{})
		before := e.containers()[e.project+"-web-1"].ID
		nets, err := e.docker.NetworkList(e.ctx(), engine.Labels{engine.LabelProject: e.project})
		if err != nil || len(nets) != 1 {
			t.Fatalf("networks: %v %v", nets, err)
		}

		// Unchanged: nothing to do.
		plan := e.up(p, engine.UpOptions{})
		if plan.Changes() {
			var b strings.Builder
			plan.Write(&b)
			t.Fatalf("unchanged stack plans changes:\n%s", b.String())
		}

		p.Networks["default"].Labels["tier"] = "front"
		plan = e.up(p, engine.UpOptions{})
		var b strings.Builder
		plan.Write(&b)
		for _, want := range []string{"~ network " + e.project + "_default", "web-1 (recreate): network default config changed"} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("plan lacks %q:\n%s", want, b.String())
			}
		}
		after, err := e.docker.NetworkList(e.ctx(), engine.Labels{engine.LabelProject: e.project})
		if err != nil || len(after) != 1 || after[0].ID == nets[0].ID || after[0].Labels["tier"] != "front" {
			t.Errorf("network after change: %+v (before %s)", after, nets[0].ID)
		}
		c := e.containers()[e.project+"-web-1"]
		if c.ID == before || c.State != "running" {
			t.Errorf("web after network change: %s %s, want a new running container", c.ID, c.State)
		}
		if plan := e.up(p, engine.UpOptions{}); plan.Changes() {
			t.Error("up after the recreate still plans changes")
		}
	})
}

func TestChangedVolumeNeedsConsent(t *testing.T) {
	eachWorld(t, func(t *testing.T, e *env) {
		p := e.stack()
		s := e.service(p, "app")
		e.withData(p, s)
		e.up(p, engine.UpOptions{})
		e.exec(e.project+"-app-1", "/testimage", "write", "/data/x", "precious")

		p.Volumes["data"].Labels["backup"] = "daily"
		_, err := e.engine.Up(e.ctx(), p, engine.UpOptions{})
		if err == nil || !strings.Contains(err.Error(), "volume "+e.project+"_data exists but doesn't match its configuration") {
			t.Fatalf("up with a changed volume: %v, want a refusal", err)
		}
		if got := e.cat(e.project+"-app-1", "/data/x"); got != "precious" {
			t.Fatalf("data after refused recreate: %q", got)
		}

		e.up(p, engine.UpOptions{Plan: engine.PlanOptions{RecreateVolumes: true}})
		v, err := e.docker.VolumeInspect(e.ctx(), e.project+"_data")
		if err != nil || v.Labels["backup"] != "daily" {
			t.Fatalf("volume after recreate: %+v %v", v, err)
		}
		// The fake's emulated files outlive a volume; only a real one empties.
		if got := e.cat(e.project+"-app-1", "/data/x"); e.world.real && got != "" {
			t.Errorf("recreated volume still has the old data: %q", got)
		}
	})
}
