// Package swarmtest is the conformance suite every swarm.Swarm passes: the
// in-memory fake (swarm/swarmfake) and the real engine's swarm API
// (engine/mobydocker). It checks what the deployer relies on: names, label
// filters, versions, task states and the error kinds.
package swarmtest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stack-dev/stack/swarm"
)

// Config is what the suite needs from an implementation.
type Config struct {
	// Swarm is the implementation under test, a manager.
	Swarm swarm.Swarm
	// Namespace is unique to this run; every object the suite creates
	// carries it as the stack namespace and is named with it.
	Namespace string
	// Image runs `ARGS...` of the test image: "serve" and "exit 0".
	Image string
	// Timeout bounds waiting for tasks.
	Timeout time.Duration
}

// Run runs the suite. It removes what it creates.
func Run(t *testing.T, cfg Config) {
	sw := cfg.Swarm
	ns := cfg.Namespace
	labels := map[string]string{swarm.LabelNamespace: ns}
	ctx := t.Context()

	netName := ns + "_default"
	netID, err := sw.NetworkCreate(ctx, swarm.NetworkSpec{Name: netName, Labels: labels, Attachable: true})
	if err != nil {
		t.Fatalf("NetworkCreate: %v", err)
	}
	t.Cleanup(func() { _ = sw.NetworkRemove(context.Background(), netID) })

	t.Run("networks", func(t *testing.T) {
		if _, err := sw.NetworkCreate(ctx, swarm.NetworkSpec{Name: netName, Labels: labels}); !errors.Is(err, swarm.ErrConflict) {
			t.Errorf("NetworkCreate of a taken name: %v, want ErrConflict", err)
		}
		// A swarm reports a network's driver once it has allocated it,
		// a moment after creating it.
		var nets []swarm.Network
		waitFor(t, cfg.Timeout, "the network's driver", func() bool {
			var err error
			if nets, err = sw.NetworkList(ctx, labels); err != nil {
				t.Fatal(err)
			}
			return len(nets) != 1 || nets[0].Driver != ""
		})
		if len(nets) != 1 || nets[0].Name != netName || nets[0].ID != netID || nets[0].Driver != "overlay" || nets[0].Labels[swarm.LabelNamespace] != ns {
			t.Errorf("NetworkList = %+v, want one overlay network %s", nets, netName)
		}
		if nets, _ := sw.NetworkList(ctx, map[string]string{swarm.LabelNamespace: ns + "-other"}); len(nets) != 0 {
			t.Errorf("NetworkList of another namespace = %+v, want none", nets)
		}
		if err := sw.NetworkRemove(ctx, "no-such-network-"+ns); !errors.Is(err, swarm.ErrNotFound) {
			t.Errorf("NetworkRemove of a missing network: %v, want ErrNotFound", err)
		}
	})

	var secretID, configID string
	t.Run("secrets and configs", func(t *testing.T) {
		for _, k := range []struct {
			kind   string
			create func(context.Context, swarm.ObjectSpec) (string, error)
			list   func(context.Context, map[string]string) ([]swarm.Object, error)
			remove func(context.Context, string) error
			id     *string
		}{
			{"secret", sw.SecretCreate, sw.SecretList, sw.SecretRemove, &secretID},
			{"config", sw.ConfigCreate, sw.ConfigList, sw.ConfigRemove, &configID},
		} {
			name := ns + "_" + k.kind + "_abc"
			spec := swarm.ObjectSpec{Name: name, Labels: map[string]string{swarm.LabelNamespace: ns, swarm.LabelContentHash: "abc"}, Data: []byte("value")}
			id, err := k.create(ctx, spec)
			if err != nil {
				t.Fatalf("%s create: %v", k.kind, err)
			}
			*k.id = id
			if _, err := k.create(ctx, spec); !errors.Is(err, swarm.ErrConflict) {
				t.Errorf("%s create of a taken name: %v, want ErrConflict", k.kind, err)
			}
			objs, err := k.list(ctx, labels)
			if err != nil {
				t.Fatal(err)
			}
			if len(objs) != 1 || objs[0].ID != id || objs[0].Name != name || objs[0].Labels[swarm.LabelContentHash] != "abc" {
				t.Errorf("%s list = %+v, want %s", k.kind, objs, name)
			}
			if err := k.remove(ctx, "nosuch"+ns); !errors.Is(err, swarm.ErrNotFound) {
				t.Errorf("%s remove of a missing one: %v, want ErrNotFound", k.kind, err)
			}
		}
	})
	t.Cleanup(func() {
		_ = sw.SecretRemove(context.Background(), secretID)
		_ = sw.ConfigRemove(context.Background(), configID)
	})

	one := uint64(1)
	svc := swarm.ServiceSpec{
		Name:            ns + "_web",
		Labels:          map[string]string{swarm.LabelNamespace: ns, swarm.LabelImage: cfg.Image, "x": "1"},
		Image:           cfg.Image,
		Args:            []string{"serve"},
		Env:             []string{"A=1", "NAME=web"},
		ContainerLabels: map[string]string{swarm.LabelNamespace: ns},
		Networks:        []swarm.NetworkAttachment{{Target: netName, Aliases: []string{"web"}}},
		Secrets:         []swarm.FileRef{{ID: secretID, Name: ns + "_secret_abc", Target: "token", UID: "0", GID: "0", Mode: 0o400}},
		Configs:         []swarm.FileRef{{ID: configID, Name: ns + "_config_abc", Target: "/etc/app.conf", UID: "0", GID: "0", Mode: 0o444}},
		Healthcheck:     &swarm.Healthcheck{Test: []string{"CMD", "/testimage", "health"}, Interval: time.Second, Timeout: time.Second, Retries: 3},
		Mode:            swarm.ModeReplicated,
		Replicas:        &one,
	}
	var svcID string
	t.Run("services", func(t *testing.T) {
		id, err := sw.ServiceCreate(ctx, svc)
		if err != nil {
			t.Fatalf("ServiceCreate: %v", err)
		}
		svcID = id
		if _, err := sw.ServiceCreate(ctx, svc); !errors.Is(err, swarm.ErrConflict) {
			t.Errorf("ServiceCreate of a taken name: %v, want ErrConflict", err)
		}
		got := list(t, sw, labels)
		if len(got) != 1 || got[0].ID != id {
			t.Fatalf("ServiceList = %+v, want the one service", got)
		}
		s := got[0].Spec
		if s.Name != svc.Name || s.Image != svc.Image || !slices.Equal(s.Env, svc.Env) || !slices.Equal(s.Args, svc.Args) ||
			s.Labels["x"] != "1" || s.Mode != swarm.ModeReplicated || s.Replicas == nil || *s.Replicas != 1 ||
			len(s.Networks) != 1 || len(s.Secrets) != 1 || s.Secrets[0].ID != secretID || s.Secrets[0].Target != "token" ||
			len(s.Configs) != 1 || s.Configs[0].Target != "/etc/app.conf" || s.Healthcheck == nil || s.Healthcheck.Retries != 3 {
			t.Errorf("listed spec = %+v, want %+v", s, svc)
		}
		waitTasks(t, sw, id, cfg.Timeout, func(ts []swarm.Task) bool { return countState(ts, swarm.TaskRunning) == 1 })

		// The swarm may have bumped the version since (allocating the
		// service's endpoint).
		v := list(t, sw, labels)[0].Version
		upd := svc
		upd.Env = []string{"A=2", "NAME=web"}
		if err := sw.ServiceUpdate(ctx, id, v, upd); err != nil {
			t.Fatalf("ServiceUpdate: %v", err)
		}
		after := list(t, sw, labels)[0]
		if after.Version <= v || !slices.Equal(after.Spec.Env, upd.Env) {
			t.Errorf("after update: version %d (was %d), env %v", after.Version, v, after.Spec.Env)
		}
		if err := sw.ServiceUpdate(ctx, id, v, svc); err == nil {
			t.Errorf("ServiceUpdate at a stale version succeeded")
		}
		// The update rolls the task: the new one runs the current
		// template, the one it replaced does not.
		var rolled []swarm.Task
		waitTasks(t, sw, id, cfg.Timeout, func(ts []swarm.Task) bool {
			rolled = ts
			current, stale := 0, 0
			for _, task := range ts {
				switch {
				case task.State == swarm.TaskRunning && task.DesiredState == swarm.TaskRunning && task.UpToDate:
					current++
				case !task.UpToDate && task.DesiredState == swarm.TaskShutdown:
					stale++
				}
			}
			return current == 1 && stale >= 1
		})
		for _, task := range rolled {
			if task.Image != cfg.Image || task.Since.IsZero() || task.Node == "" || task.Slot != 1 {
				t.Errorf("task %+v: want image %s, a state time, a node name and slot 1", task, cfg.Image)
			}
		}
		waitFor(t, cfg.Timeout, "the update to complete", func() bool {
			u := list(t, sw, labels)[0].Update
			if u.Failed() {
				t.Fatalf("update failed: %+v", u)
			}
			return u.State == swarm.UpdateCompleted && !u.Started.IsZero()
		})

		// Every line a task logged names the task.
		taskIDs := map[string]bool{}
		for _, task := range rolled {
			taskIDs[task.ID] = true
		}
		var lines []swarm.LogLine
		waitFor(t, cfg.Timeout, "log lines", func() bool {
			lines = nil
			if err := sw.ServiceLogs(ctx, id, swarm.LogOptions{}, func(l swarm.LogLine) { lines = append(lines, l) }); err != nil {
				t.Fatalf("ServiceLogs: %v", err)
			}
			return len(lines) > 0
		})
		for _, l := range lines {
			if !taskIDs[l.TaskID] || l.Text == "" {
				t.Errorf("log line %+v: want the text and one of the tasks %v", l, taskIDs)
			}
		}
		follow, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if err := sw.ServiceLogs(follow, id, swarm.LogOptions{Follow: true, Tail: "1"}, func(swarm.LogLine) {}); err != nil || follow.Err() == nil {
			t.Errorf("following logs: %v, returned before the context ended: %v", err, follow.Err() == nil)
		}
		if err := sw.ServiceLogs(ctx, "no-such-service-"+ns, swarm.LogOptions{}, func(swarm.LogLine) {}); !errors.Is(err, swarm.ErrNotFound) {
			t.Errorf("ServiceLogs of a missing service: %v, want ErrNotFound", err)
		}
		if err := sw.SecretRemove(ctx, secretID); err == nil {
			t.Errorf("SecretRemove of a secret in use succeeded")
		}
	})

	t.Run("jobs", func(t *testing.T) {
		job := swarm.ServiceSpec{
			Name: ns + "_job", Labels: labels, Image: cfg.Image, Args: []string{"exit", "0"},
			Networks: []swarm.NetworkAttachment{{Target: netName, Aliases: []string{"job"}}},
			Mode:     swarm.ModeReplicatedJob, Replicas: &one, Restart: &swarm.RestartPolicy{Condition: swarm.RestartOnFailure},
		}
		id, err := sw.ServiceCreate(ctx, job)
		if err != nil {
			t.Fatalf("ServiceCreate job: %v", err)
		}
		t.Cleanup(func() { _ = sw.ServiceRemove(context.Background(), id) })
		waitTasks(t, sw, id, cfg.Timeout, func(ts []swarm.Task) bool { return countState(ts, swarm.TaskComplete) == 1 })
		for _, s := range list(t, sw, labels) {
			if s.ID == id && s.Spec.Mode != swarm.ModeReplicatedJob {
				t.Errorf("job listed in mode %q", s.Spec.Mode)
			}
		}
	})

	t.Run("remove", func(t *testing.T) {
		if svcID == "" {
			t.Skip("no service")
		}
		if err := sw.ServiceRemove(ctx, svcID); err != nil {
			t.Fatalf("ServiceRemove: %v", err)
		}
		if err := sw.ServiceRemove(ctx, svcID); !errors.Is(err, swarm.ErrNotFound) {
			t.Errorf("second ServiceRemove: %v, want ErrNotFound", err)
		}
		if _, err := sw.TaskList(ctx, svcID); !errors.Is(err, swarm.ErrNotFound) {
			t.Errorf("TaskList of a removed service: %v, want ErrNotFound", err)
		}
	})
}

func list(t *testing.T, sw swarm.Swarm, labels map[string]string) []swarm.Service {
	t.Helper()
	got, err := sw.ServiceList(t.Context(), labels)
	if err != nil {
		t.Fatalf("ServiceList: %v", err)
	}
	return got
}

func countState(ts []swarm.Task, state string) int {
	n := 0
	for _, task := range ts {
		if task.State == state {
			n++
		}
	}
	return n
}

func waitTasks(t *testing.T, sw swarm.Swarm, id string, timeout time.Duration, ok func([]swarm.Task) bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last []swarm.Task
	for time.Now().Before(deadline) {
		ts, err := sw.TaskList(t.Context(), id)
		if err != nil {
			t.Fatalf("TaskList: %v", err)
		}
		if ok(ts) {
			return
		}
		last = ts
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("tasks of %s did not get there in %v: %+v", id, timeout, last)
}

func waitFor(t *testing.T, timeout time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
