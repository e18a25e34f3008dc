package spec

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestLoadComposeFixtures(t *testing.T) {
	tests := []struct {
		fixture string
		opts    LoadOptions
		check   func(t *testing.T, p *Project)
	}{
		{"webapp", LoadOptions{}, func(t *testing.T, p *Project) {
			web := p.Services["web"]
			wantDeps := map[string]Dependency{
				"db":    {Condition: ConditionHealthy, Required: true, Restart: true},
				"cache": {Condition: ConditionStarted, Required: true},
			}
			eq(t, "web.DependsOn", web.DependsOn, wantDeps)
			eq(t, "web.Ports", web.Ports, []Port{
				{HostIP: "127.0.0.1", HostPort: "8080", ContainerPort: 8080, Protocol: "tcp"},
				{HostPort: "9091", ContainerPort: 9090, Protocol: "tcp"},
			})
			eq(t, "web.Volumes", web.Volumes, []Mount{
				{Type: MountBind, Source: filepath.Join(p.WorkingDir, "web/static"), Target: "/srv/static", ReadOnly: true, CreateHostPath: true},
				{Type: MountTmpfs, Target: "/tmp", TmpfsSize: 16 << 20},
			})
			eq(t, "web.Build.Context", web.Build.Context, filepath.Join(p.WorkingDir, "web"))
			eq(t, "web.Healthcheck.Interval", web.Healthcheck.Interval, 10*time.Second)
			eq(t, "db.Healthcheck.Test", p.Services["db"].Healthcheck.Test, []string{"CMD-SHELL", "pg_isready -U app"})
			eq(t, "db.Networks", p.Services["db"].Networks, map[string]*ServiceNetwork{"backend": {Aliases: []string{"database"}}})
			eq(t, "backend.Subnets", p.Networks["backend"].Subnets(), []string{"172.30.0.0/24"})
			eq(t, "dbdata.Name", p.Volumes["dbdata"].Name, "webapp_dbdata")
			eq(t, "web.Positions[image]", web.Pos("image").Line, 10)
		}},
		{"build", LoadOptions{}, func(t *testing.T, p *Project) {
			b := p.Services["app"].Build
			dir := p.WorkingDir
			eq(t, "Dockerfile", b.Dockerfile, "Dockerfile")
			eq(t, "AdditionalContexts", b.AdditionalContexts, map[string]string{
				"assets": filepath.Join(dir, "assets"), "base": "docker-image://busybox:stable", "tools": "service:tools"})
			eq(t, "Secrets", b.Secrets, []FileRef{{Source: "npm_token"}, {Source: "api_key", Target: "apikey"}})
			eq(t, "SSH", b.SSH, []BuildSSH{{ID: "default"}, {ID: "deploy", Path: filepath.Join(dir, "deploy_key")}})
			eq(t, "CacheFrom", b.CacheFrom, []string{"app:cache", "type=registry,ref=registry.example/app:cache"})
			eq(t, "CacheTo", b.CacheTo, []string{"type=inline"})
			eq(t, "Network", b.Network, "host")
			eq(t, "ShmSize", b.ShmSize, int64(128<<20))
			eq(t, "ExtraHosts", b.ExtraHosts, []string{"db.example:10.0.0.6", "mirror.example:10.0.0.5"})
			eq(t, "Ulimits", b.Ulimits, map[string]BuildUlimit{"nofile": {Soft: 20000, Hard: 40000}, "nproc": {Soft: 65535, Hard: 65535}})
			eq(t, "Pull", b.Pull, true)
			eq(t, "Isolation", b.Isolation, "default")
			eq(t, "Platforms", b.Platforms, []string{"linux/amd64"})
			tools := p.Services["tools"].Build
			eq(t, "tools.DockerfileInline", tools.DockerfileInline, "FROM scratch\nCOPY a.txt /a.txt\n")
			eq(t, "tools.Dockerfile", tools.Dockerfile, "")
			eq(t, "tools.Context", tools.Context, dir)
			eq(t, "warnings", len(p.Warnings), 0)
		}},
		{"model-server", LoadOptions{}, func(t *testing.T, p *Project) {
			m := p.Services["model"]
			eq(t, "model.Replicas", m.Replicas, 2)
			eq(t, "model.Resources", m.Resources, Resources{CPUs: 1.5, MemoryBytes: 2 << 30, GPUs: []DeviceRequest{{Driver: "nvidia", Count: 1, Capabilities: []string{"gpu"}}}})
			eq(t, "api.gpus", p.Services["api"].Resources.GPUs, []DeviceRequest{{Driver: "nvidia", DeviceIDs: []string{"0"}, Capabilities: []string{"gpu"}}})
			eq(t, "api.Ports", len(p.Services["api"].Ports), 2)
			eq(t, "registry-data", *p.Volumes["registry-data"], Volume{Key: "registry-data", Name: "shared-registry-data", External: true})
		}},
		{"profiles", LoadOptions{}, func(t *testing.T, p *Project) {
			eq(t, "services", p.ServiceNames(), []string{"app"})
			eq(t, "disabled", sortedKeys(p.Disabled), []string{"debug", "seed"})
		}},
		{"profiles", LoadOptions{Profiles: []string{"debug"}}, func(t *testing.T, p *Project) {
			eq(t, "services", p.ServiceNames(), []string{"app", "debug", "seed"})
		}},
		{"extends", LoadOptions{}, func(t *testing.T, p *Project) {
			eq(t, "worker.Environment", p.Services["worker"].Environment, map[string]string{"LOG_LEVEL": "debug", "GOMAXPROCS": "2"})
			eq(t, "api.Restart", p.Services["api"].Restart, "on-failure:3")
			eq(t, "api.Labels", p.Services["api"].Labels, map[string]string{"team": "platform"})
		}},
		{"include", LoadOptions{}, func(t *testing.T, p *Project) {
			eq(t, "services", p.ServiceNames(), []string{"app", "metrics"})
			eq(t, "metrics bind", p.Services["metrics"].Volumes[0].Source, filepath.Join(p.WorkingDir, "monitoring/prometheus.yml"))
		}},
		{"override", LoadOptions{}, func(t *testing.T, p *Project) {
			api := p.Services["api"]
			eq(t, "files", len(p.Files), 2)
			eq(t, "api.Image", api.Image, "api:dev")
			eq(t, "api.Environment", api.Environment, map[string]string{"MODE": "development", "DEBUG": "1"})
			eq(t, "api.Ports", len(api.Ports), 1)
		}},
		{"env", LoadOptions{}, func(t *testing.T, p *Project) {
			web := p.Services["web"]
			eq(t, "name", p.Name, "envdemo")
			eq(t, "image", web.Image, "nginx:1.4.2")
			eq(t, "ports", web.Ports, []Port{{HostPort: "8088", ContainerPort: 80, Protocol: "tcp"}})
			eq(t, "env", web.Environment, map[string]string{"GREETING": "hello from 1.4.2", "UNSET_WITH_DEFAULT": "fallback", "LITERAL": "$HOME"})
			eq(t, "replicas", web.Replicas, 1) // a fixed host port allows one replica
		}},
		{"env", LoadOptions{Environ: []string{"TAG=9", "PROJECT=other"}, ProjectName: "cli-name"}, func(t *testing.T, p *Project) {
			eq(t, "name", p.Name, "cli-name")
			eq(t, "image (environment beats .env)", p.Services["web"].Image, "nginx:9")
		}},
		{"secrets", LoadOptions{}, func(t *testing.T, p *Project) {
			mode := uint32(0o400)
			eq(t, "app.Secrets", p.Services["app"].Secrets, []FileRef{
				{Source: "db_password", Target: "/run/secrets/db_password"},
				{Source: "api_key", Target: "/run/secrets/key", UID: "1000", GID: "1000", Mode: &mode},
			})
			eq(t, "db_password.File", p.Secrets["db_password"].File, filepath.Join(p.WorkingDir, "db_password.txt"))
			eq(t, "api_key.Environment", p.Secrets["api_key"].Environment, "API_KEY")
			eq(t, "inline_conf.Content", p.Configs["inline_conf"].Content, "debug = true\n")
		}},
		{"scale", LoadOptions{}, func(t *testing.T, p *Project) {
			w, q := p.Services["worker"], p.Services["queue"]
			eq(t, "worker.Replicas", w.Replicas, 3)
			eq(t, "queue.Replicas", q.Replicas, 2)
			eq(t, "worker.Init", *w.Init, true)
			eq(t, "queue.ExtraHosts", q.ExtraHosts, []string{"host.docker.internal:host-gateway"})
		}},
		{"unsupported", LoadOptions{}, func(t *testing.T, p *Project) {
			var keys []string
			for _, w := range p.Warnings {
				if !w.Warning || w.Pos.Line == 0 {
					t.Errorf("warning %+v: want Warning and a line", w)
				}
				keys = append(keys, w.KeyPath)
			}
			eq(t, "warnings", keys, []string{"services.app.deploy.resources.reservations.generic_resources"})
			// Placement is read by stack deploy: in the model, not warned.
			eq(t, "app.Deploy", p.Services["app"].Deploy, &Deploy{Placement: Placement{Constraints: []string{"node.role == manager"}}})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			dir, err := filepath.Abs(filepath.Join("testdata/compose", tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			opts := tt.opts
			opts.WorkingDir = dir
			if opts.Environ == nil {
				opts.Environ = fixtureEnviron
			}
			p, err := Load(opts)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, p)
		})
	}
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}
