package modelstack_test

import (
	"context"
	"net"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/spec"
	"github.com/stack-dev/stack/swarm"
	"github.com/stack-dev/stack/swarm/swarmtest"
)

// TestModelStackOnASwarm deploys the compose form of the example to a
// single-node swarm with the images built on the engine, asks the gateway
// for a prediction, deploys it again unchanged, rolls a changed model
// server one task at a time and undeploys it.
func TestModelStackOnASwarm(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and deploys the whole example")
	}
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("no docker CLI to list the stack with")
	}
	project := testenv.Project(t)
	sw := testenv.Swarm(t, project)
	d := testenv.Docker(t)
	testenv.ModelStackBins(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()

	load := func() *spec.Project {
		t.Helper()
		p, err := spec.Load(spec.LoadOptions{Files: []string{"compose.yaml"}, ProjectName: project})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := load()
	start := time.Now()
	if _, err := engine.New(d, nil, nil).Build(ctx, p, nil, engine.ImageOptions{}); err != nil {
		t.Fatalf("build: %v", err)
	}
	t.Logf("build of the images: %v", time.Since(start).Round(time.Millisecond))

	// Free host ports instead of 8080 and 5000, kept across deploys.
	ports := map[string]string{"gateway": freePort(t), "registry": freePort(t)}
	withPorts := func(p *spec.Project) *spec.Project {
		for name, port := range ports {
			s := p.Services[name]
			if len(s.Ports) != 1 || s.Ports[0].Mode != spec.PortModeHost {
				t.Fatalf("%s ports %+v, want one published in host mode", name, s.Ports)
			}
			s.Ports[0].HostPort, s.Ports[0].HostIP = port, ""
		}
		return p
	}

	start = time.Now()
	res, err := swarm.Deploy(ctx, sw, withPorts(p), swarm.DeployOptions{Wait: true, WaitTimeout: 4 * time.Minute})
	if err != nil {
		t.Fatalf("deploy --wait: %v", err)
	}
	t.Logf("first deploy --wait of %d services: %v", len(res.Created), time.Since(start).Round(time.Millisecond))
	for _, n := range res.Notes {
		if n.Refused {
			t.Errorf("refused: %s", n)
		}
	}
	gateway := "http://127.0.0.1:" + ports["gateway"]
	if got := predictEventually(t, gateway+"/predict", []float64{5.1, 3.5, 1.4, 0.2}); got.Prediction != "setosa" || !strings.HasPrefix(got.ModelVersion, "sha-") {
		t.Errorf("model-server through the gateway: %+v, want setosa from a trained model version", got)
	}
	if got := predictEventually(t, gateway+"/embedded/predict", []float64{6.7, 3.0, 5.2, 2.3}); got.Prediction != "virginica" {
		t.Errorf("model-server-embedded through the gateway: %+v, want virginica", got)
	}

	out := run(t, "docker", "stack", "services", project, "--format", "{{.Name}} {{.Replicas}}")
	for name, replicas := range map[string]string{
		"registry": "1/1", "model-registry": "1/1", "train": "0/1 (1/1 completed)", "model-server": "2/2",
		"model-server-embedded": "1/1", "predlog": "1/1", "gateway": "1/1",
	} {
		if want := project + "_" + name + " " + replicas; !strings.Contains(out, want+"\n") {
			t.Errorf("docker stack services lacks %q:\n%s", want, out)
		}
	}

	before := swarmtest.Versions(t, sw, project)
	start = time.Now()
	res, err = swarm.Deploy(ctx, sw, withPorts(load()), swarm.DeployOptions{Wait: true, WaitTimeout: 4 * time.Minute})
	if err != nil {
		t.Fatalf("second deploy: %v", err)
	}
	t.Logf("unchanged second deploy --wait: %v", time.Since(start).Round(time.Millisecond))
	if len(res.Created)+len(res.Updated) != 0 || len(res.Unchanged) != 7 {
		t.Errorf("unchanged deploy: %+v, want all 7 unchanged", res)
	}
	for name, v := range swarmtest.Versions(t, sw, project) {
		if v != before[name] {
			t.Errorf("%s version %d after an unchanged deploy, was %d", name, v, before[name])
		}
	}

	// A changed model server rolls its two tasks one at a time
	// (update_config: parallelism 1, start-first).
	changed := withPorts(load())
	changed.Services["model-server"].Environment["ROLLOUT"] = "2"
	start = time.Now()
	res, err = swarm.Deploy(ctx, sw, changed, swarm.DeployOptions{Wait: true, WaitTimeout: 4 * time.Minute})
	if err != nil {
		t.Fatalf("deploy of a changed model-server: %v", err)
	}
	t.Logf("rolling update of model-server's 2 tasks, deploy --wait: %v", time.Since(start).Round(time.Millisecond))
	if len(res.Updated) != 1 || res.Updated[0] != "model-server" {
		t.Errorf("deploy of a changed model-server updated %v", res.Updated)
	}
	for name, v := range swarmtest.Versions(t, sw, project) {
		if changed := v != before[name]; changed != (name == project+"_model-server") {
			t.Errorf("%s version %d, was %d: only model-server changed", name, v, before[name])
		}
	}
	checkOneAtATime(t, sw, project)
	if got := predict(t, gateway+"/predict", []float64{5.1, 3.5, 1.4, 0.2}); got.Prediction != "setosa" {
		t.Errorf("prediction after the update: %+v", got)
	}

	start = time.Now()
	if _, err := swarm.Undeploy(ctx, sw, project, swarm.UndeployOptions{}); err != nil {
		t.Fatalf("undeploy: %v", err)
	}
	t.Logf("undeploy: %v", time.Since(start).Round(time.Millisecond))
	label := "label=" + swarm.LabelNamespace + "=" + project
	for _, kind := range []string{"service", "secret", "config"} {
		if out := strings.TrimSpace(run(t, "docker", kind, "ls", "-q", "--filter", label)); out != "" {
			t.Errorf("%ss left after undeploy: %s", kind, out)
		}
	}
	// The node drops its copy of a removed overlay network a moment
	// after the manager removed it.
	deadline := time.Now().Add(time.Minute)
	for {
		out := strings.TrimSpace(run(t, "docker", "network", "ls", "-q", "--filter", label))
		if out == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("networks left after undeploy: %s", out)
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// checkOneAtATime reads from the model server's tasks that its rolling
// update replaced one task at a time: the second new task was created
// only after the first ran, and each old task stopped only after its
// replacement ran.
func checkOneAtATime(t *testing.T, sw swarm.Swarm, project string) {
	t.Helper()
	svcs, err := sw.ServiceList(t.Context(), map[string]string{swarm.LabelNamespace: project})
	if err != nil {
		t.Fatal(err)
	}
	var svc swarm.Service
	for _, s := range svcs {
		if s.Spec.Name == project+"_model-server" {
			svc = s
		}
	}
	if svc.Update.State != swarm.UpdateCompleted {
		t.Errorf("model-server update %+v, want completed", svc.Update)
	}
	tasks, err := sw.TaskList(t.Context(), svc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var fresh []swarm.Task
	old := map[int]swarm.Task{}
	for _, task := range tasks {
		switch {
		case task.UpToDate && task.DesiredState == swarm.TaskRunning:
			fresh = append(fresh, task)
		case !task.UpToDate && task.State == swarm.TaskShutdown:
			if o, ok := old[task.Slot]; !ok || task.Created.After(o.Created) {
				old[task.Slot] = task
			}
		}
	}
	if len(fresh) != 2 || len(old) != 2 {
		t.Fatalf("model-server tasks after the update: %d new, %d replaced slots, want 2 and 2:\n%+v", len(fresh), len(old), tasks)
	}
	sort.Slice(fresh, func(i, j int) bool { return fresh[i].Created.Before(fresh[j].Created) })
	first, second := fresh[0], fresh[1]
	t.Logf("new task of slot %d created %s, running %s; new task of slot %d created %s",
		first.Slot, first.Created.Format(time.StampMilli), first.Since.Format(time.StampMilli), second.Slot, second.Created.Format(time.StampMilli))
	if !second.Created.After(first.Since) {
		t.Errorf("the second new task was created at %v, before the first ran (%v): not one at a time", second.Created, first.Since)
	}
	for _, n := range fresh {
		if o := old[n.Slot]; o.Since.Before(n.Since) {
			t.Errorf("slot %d: the old task stopped at %v, before its replacement ran (%v): not start-first", n.Slot, o.Since, n.Since)
		}
	}
	if o := old[second.Slot]; o.Since.Before(first.Since) {
		t.Errorf("both old tasks stopped before the first new one ran")
	}
}

// predictEventually asks until the gateway answers: it finds the model
// servers by DNS every few seconds.
func predictEventually(t *testing.T, url string, features []float64) prediction {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		p, err := tryPredict(url, features)
		if err == nil {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("POST %s: %v", url, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
