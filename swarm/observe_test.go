package swarm_test

import (
	"strings"
	"testing"

	"github.com/stack-dev/stack/swarm"
	"github.com/stack-dev/stack/swarm/swarmfake"
)

// deployed is the base stack deployed to a fake swarm.
func deployed(t *testing.T) *swarmfake.Fake {
	t.Helper()
	sw := swarmfake.New()
	if _, err := swarm.Deploy(t.Context(), sw, load(t, t.TempDir(), base), swarm.DeployOptions{Wait: true}); err != nil {
		t.Fatal(err)
	}
	return sw
}

func TestPsListsTasksBySlotNewestFirst(t *testing.T) {
	sw := deployed(t)
	ctx := t.Context()
	if ok, err := swarm.Deployed(ctx, sw, "demo"); !ok || err != nil {
		t.Fatalf("Deployed = %v, %v", ok, err)
	}
	if ok, _ := swarm.Deployed(ctx, sw, "other"); ok {
		t.Errorf("a stack never deployed is Deployed")
	}
	rows, err := swarm.Ps(ctx, sw, "demo", swarm.PsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rows {
		names = append(names, r.Name+" "+r.DesiredState+" "+r.CurrentState)
		if r.Image != "img" || r.Node != "fake-node" || r.Since.IsZero() || r.Replaced {
			t.Errorf("row %+v", r)
		}
	}
	want := "demo_db.1 running running,demo_migrate.node1 complete complete,demo_web.1 running running,demo_web.2 running running"
	if got := strings.Join(names, ","); got != want {
		t.Errorf("ps:\n got %s\nwant %s", got, want)
	}

	// A change replaces web's tasks: -a lists the replaced ones under
	// the new ones.
	p := load(t, t.TempDir(), base)
	p.Services["web"].Environment["MODE"] = "two"
	if _, err := swarm.Deploy(ctx, sw, p, swarm.DeployOptions{}); err != nil {
		t.Fatal(err)
	}
	rows, err = swarm.Ps(ctx, sw, "demo", swarm.PsOptions{Services: []string{"web"}, All: true})
	if err != nil {
		t.Fatal(err)
	}
	names = nil
	for _, r := range rows {
		names = append(names, r.Name+" "+r.CurrentState+map[bool]string{true: " replaced"}[r.Replaced])
	}
	want = "demo_web.1 running,demo_web.1 shutdown replaced,demo_web.2 running,demo_web.2 shutdown replaced"
	if got := strings.Join(names, ","); got != want {
		t.Errorf("ps -a web:\n got %s\nwant %s", got, want)
	}
	if _, err := swarm.Ps(ctx, sw, "demo", swarm.PsOptions{Services: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), "no such service on the swarm: nope") {
		t.Errorf("ps of an unknown service: %v", err)
	}
}

func TestLogsNameEachLinesServiceAndSlot(t *testing.T) {
	sw := deployed(t)
	var got []string
	err := swarm.Logs(t.Context(), sw, "demo", []string{"web", "migrate"}, swarm.LogOptions{}, func(l swarm.ServiceLogLine) {
		got = append(got, l.Service+"."+string(rune('0'+l.Slot))+": "+l.Text)
	})
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(got, "\n")
	for _, want := range []string{"web.1: ", "web.2: ", "migrate.0: exit 0 (fake task"} {
		if !strings.Contains(joined, want) {
			t.Errorf("logs lack %q:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, "db.") {
		t.Errorf("logs of web and migrate have db's:\n%s", joined)
	}
}

func TestScaleSetsReplicasAndTheNextDeployRestoresTheFile(t *testing.T) {
	sw := deployed(t)
	ctx := t.Context()
	if err := swarm.Scale(ctx, sw, "demo", map[string]uint64{"web": 3}, swarm.ScaleOptions{Wait: true}); err != nil {
		t.Fatal(err)
	}
	rows, err := swarm.Ps(ctx, sw, "demo", swarm.PsOptions{Services: []string{"web"}})
	if err != nil || len(rows) != 3 {
		t.Fatalf("web after scale to 3: %d tasks (%v)", len(rows), err)
	}
	if err := swarm.Scale(ctx, sw, "demo", map[string]uint64{"migrate": 2}, swarm.ScaleOptions{}); err == nil || !strings.Contains(err.Error(), "replicated-job service has no replica count") {
		t.Errorf("scale of a job: %v", err)
	}
	if err := swarm.Scale(ctx, sw, "demo", map[string]uint64{"nope": 2}, swarm.ScaleOptions{}); err == nil {
		t.Errorf("scale of an unknown service succeeded")
	}
	res, err := swarm.Deploy(ctx, sw, load(t, t.TempDir(), base), swarm.DeployOptions{Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Updated, ",") != "web" {
		t.Errorf("deploy after scale updated %v, want web (back to 2)", res.Updated)
	}
	svcs, err := swarm.Services(ctx, sw, "demo")
	if err != nil || *svcs["web"].Spec.Replicas != 2 {
		t.Errorf("web replicas after deploy: %v (%v)", *svcs["web"].Spec.Replicas, err)
	}
}
