package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
	"github.com/stack-dev/stack/spec"
)

// What a crashed `up` leaves behind, set up step by step with the Docker
// calls the executor makes, and what the next `up` must make of it: exactly
// one container per replica, under its own name, running the current
// config, and a plan with nothing left to do. crash_test.go kills real
// `stack` processes; these tests reach each window deterministically.

// crashStack is web (2 replicas, so its recreates roll) and api (1, so its
// recreates stop, rename aside, create, start, remove).
func (e *env) crashStack() *spec.Project {
	p := e.stack()
	web := e.service(p, "web")
	web.Replicas = 2
	e.service(p, "api")
	return p
}

// changeAll gives every service of p a new config.
func changeAll(p *spec.Project) {
	for _, s := range p.Services {
		s.Environment = map[string]string{"NAME": "v2"}
	}
}

// action returns the planned action for container name.
func action(t *testing.T, plan *engine.Plan, name string) engine.ContainerAction {
	t.Helper()
	for _, sp := range plan.Services {
		for _, a := range sp.Actions {
			if a.Name == name {
				return a
			}
		}
	}
	t.Fatalf("no planned action for %s", name)
	return engine.ContainerAction{}
}

// crashed is the state a crash case starts from.
type crashed struct {
	e      *env
	before map[string]engine.Container // after the first up
	next   *engine.Plan                // the plan of the interrupted up
}

func TestUpConvergesAfterCrash(t *testing.T) {
	tests := []struct {
		name string
		// change says whether the interrupted up had a new config.
		change bool
		crash  func(t *testing.T, c crashed)
	}{{
		name: "killed after create, before start",
		crash: func(t *testing.T, c crashed) {
			api := c.before[c.e.project+"-api-1"]
			c.must(t, c.e.docker.ContainerRemove(c.e.ctx(), api.ID, true))
			c.create(t, action(t, c.next, c.e.project+"-api-1").Spec, "", false)
		},
	}, {
		name:   "recreate killed after renaming the old container aside",
		change: true,
		crash: func(t *testing.T, c crashed) {
			c.aside(t, c.e.project+"-api-1")
		},
	}, {
		name:   "recreate killed after creating the new container",
		change: true,
		crash: func(t *testing.T, c crashed) {
			c.aside(t, c.e.project+"-api-1")
			c.create(t, action(t, c.next, c.e.project+"-api-1").Spec, "", false)
		},
	}, {
		name:   "recreate killed before removing the old container",
		change: true,
		crash: func(t *testing.T, c crashed) {
			c.aside(t, c.e.project+"-api-1")
			c.create(t, action(t, c.next, c.e.project+"-api-1").Spec, "", true)
		},
	}, {
		name:   "rolling recreate killed with the next replica running",
		change: true,
		crash: func(t *testing.T, c crashed) {
			c.create(t, action(t, c.next, c.e.project+"-web-1").Spec, "-next", true)
		},
	}, {
		name:   "rolling recreate killed after removing the old replica",
		change: true,
		crash: func(t *testing.T, c crashed) {
			c.create(t, action(t, c.next, c.e.project+"-web-1").Spec, "-next", true)
			old := c.before[c.e.project+"-web-1"]
			c.must(t, c.e.docker.ContainerStop(c.e.ctx(), old.ID, nil))
			c.must(t, c.e.docker.ContainerRemove(c.e.ctx(), old.ID, true))
		},
	}}
	eachWorld(t, func(t *testing.T, e *env) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, e.world)
				p := e.crashStack()
				e.up(p, engine.UpOptions{})
				before := e.containers()
				if tt.change {
					changeAll(p)
				}
				next, err := e.engine.Plan(e.ctx(), p, engine.PlanOptions{})
				if err != nil {
					t.Fatal(err)
				}
				tt.crash(t, crashed{e: e, before: before, next: next})

				e.up(p, engine.UpOptions{})
				e.checkConverged(p, map[string]int{"web": 2, "api": 1})
			})
		}
	})
}

func (c crashed) must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// aside stops container name and renames it aside as recreate does.
func (c crashed) aside(t *testing.T, name string) {
	t.Helper()
	old := c.before[name]
	c.must(t, c.e.docker.ContainerStop(c.e.ctx(), old.ID, nil))
	c.must(t, c.e.docker.ContainerRename(c.e.ctx(), old.ID, old.ID[:12]+"_"+name))
}

// create creates (and maybe starts) a container from a planned spec, its
// name suffixed as the executor suffixes it.
func (c crashed) create(t *testing.T, cs engine.ContainerSpec, suffix string, start bool) {
	t.Helper()
	cs.Name += suffix
	id, err := c.e.docker.ContainerCreate(c.e.ctx(), cs)
	c.must(t, err)
	if start {
		c.must(t, c.e.docker.ContainerStart(c.e.ctx(), id))
	}
}

// checkConverged checks the project has exactly replicas containers per
// service, named <project>-<service>-<n>, all running, and that a new plan
// has nothing to do.
func (e *env) checkConverged(p *spec.Project, replicas map[string]int) {
	e.t.Helper()
	var want []string
	for service, n := range replicas {
		for i := 1; i <= n; i++ {
			want = append(want, e.replicaNames(service, i))
		}
	}
	got := e.containers()
	if names(got) != names(nameSet(want)) {
		e.t.Errorf("containers = %s\nwant        %s", names(got), names(nameSet(want)))
	}
	for name, c := range got {
		if c.State != "running" {
			e.t.Errorf("%s is %s, want running", name, c.State)
		}
	}
	plan, err := e.engine.Plan(e.ctx(), p, engine.PlanOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	if plan.Changes() {
		var b strings.Builder
		plan.Write(&b)
		e.t.Errorf("not converged, the plan still has changes:\n%s", b.String())
	}
}

func nameSet(list []string) map[string]engine.Container {
	m := map[string]engine.Container{}
	for _, n := range list {
		m[n] = engine.Container{Name: n}
	}
	return m
}

// A second `up` of an unchanged stack decides from labels alone that there
// is nothing to do, and so touches no container, network or volume.
func TestNoopUpMakesNoChangingCalls(t *testing.T) {
	fakeOnly(t, func(t *testing.T, e *env, f *dockerfake.Fake) {
		p := e.stack()
		p.Volumes["data"] = &spec.Volume{Key: "data", Name: e.project + "_data"}
		db := e.service(p, "db", "serve", "--ready-after", "200ms")
		withHealthcheck(db)
		db.Volumes = []spec.Mount{{Type: spec.MountVolume, Source: "data", Target: "/data"}}
		migrate := e.service(p, "migrate", "exit", "0")
		dependOn(migrate, "db", spec.ConditionHealthy)
		api := e.service(p, "api")
		api.Replicas = 3
		dependOn(api, "migrate", spec.ConditionCompleted)
		dependOn(api, "db", spec.ConditionHealthy)
		e.up(p, engine.UpOptions{Wait: true, WaitTimeout: 30 * time.Second})

		for _, opts := range []engine.UpOptions{{}, {Wait: true, WaitTimeout: 30 * time.Second}} {
			f.ResetCalls()
			if plan := e.up(p, opts); plan.Changes() {
				var b strings.Builder
				plan.Write(&b)
				t.Errorf("up %+v: plan has changes:\n%s", opts, b.String())
			}
			for _, call := range []string{
				"ContainerCreate", "ContainerStart", "ContainerStop", "ContainerKill", "ContainerRemove", "ContainerRename",
				"NetworkCreate", "NetworkRemove", "VolumeCreate", "VolumeRemove", "ImagePull", "ImageBuild",
			} {
				if n := f.Calls(call); n != 0 {
					t.Errorf("up %+v of an unchanged stack made %d %s calls", opts, n, call)
				}
			}
			if f.Calls("ContainerList") == 0 {
				t.Errorf("up %+v did not observe the project (no ContainerList)", opts)
			}
		}
	})
}
