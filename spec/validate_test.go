package spec

import (
	"errors"
	"strings"
	"testing"
)

// validProject is a small valid project that each case below breaks in one
// way; Validate must work on any model, whichever front end built it.
func validProject() *Project {
	pos := func(line int) map[string]Pos {
		return map[string]Pos{"": {File: "stack.hcl", Line: line, Column: 1}}
	}
	return &Project{
		Name: "demo",
		Services: map[string]*Service{
			"db":  {Name: "db", Image: "postgres", Replicas: 1, Networks: map[string]*ServiceNetwork{"default": {}}, Positions: pos(1)},
			"web": {Name: "web", Image: "nginx", Replicas: 1, Networks: map[string]*ServiceNetwork{"default": {}}, Positions: pos(5), DependsOn: map[string]Dependency{"db": {Condition: ConditionHealthy, Required: true}}},
		},
		Networks: map[string]*Network{"default": {Key: "default", Name: "demo_default"}},
		Volumes:  map[string]*Volume{"data": {Key: "data", Name: "demo_data"}},
		Secrets:  map[string]*Secret{"token": {Key: "token", Content: "x"}},
		Configs:  map[string]*Config{"app": {Key: "app", Content: "x"}},
		Disabled: map[string]*Service{"debug": {Name: "debug", Image: "busybox", Profiles: []string{"debug"}}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *Project)
		want   []string // substrings, one per expected problem; none: valid
	}{
		{"valid", func(*Project) {}, nil},
		{"unknown dependency", func(p *Project) {
			p.Services["web"].DependsOn["cache"] = Dependency{Condition: ConditionStarted, Required: true}
		}, []string{`stack.hcl:5:1: service "web" depends on unknown service "cache"`}},
		{"required disabled dependency", func(p *Project) {
			p.Services["web"].DependsOn["debug"] = Dependency{Condition: ConditionStarted, Required: true}
		}, []string{`depends on "debug", which is disabled by its profiles`}},
		{"optional disabled dependency", func(p *Project) {
			p.Services["web"].DependsOn["debug"] = Dependency{Condition: ConditionStarted}
		}, nil},
		{"optional unknown dependency", func(p *Project) {
			p.Services["web"].DependsOn["ghost"] = Dependency{Condition: ConditionStarted}
		}, []string{`unknown service "ghost"`}},
		{"unknown network", func(p *Project) {
			p.Services["web"].Networks["backend"] = &ServiceNetwork{}
			p.Services["web"].Positions["networks.backend"] = Pos{File: "stack.hcl", Line: 7, Column: 11}
		}, []string{`stack.hcl:7:11: service "web" uses undeclared network "backend"`}},
		{"unknown volume", func(p *Project) {
			p.Services["db"].Volumes = []Mount{{Type: MountVolume, Source: "data", Target: "/a"}, {Type: MountVolume, Source: "pgdata", Target: "/b"}, {Type: MountVolume, Target: "/c"}}
		}, []string{`service "db" uses undeclared volume "pgdata"`}},
		{"unknown secret and config", func(p *Project) {
			p.Services["web"].Secrets = []FileRef{{Source: "token"}, {Source: "key"}}
			p.Services["web"].Configs = []FileRef{{Source: "nginx"}}
		}, []string{`undeclared secret "key"`, `undeclared config "nginx"`}},
		{"cycle", func(p *Project) {
			p.Services["db"].DependsOn = map[string]Dependency{"web": {Condition: ConditionStarted, Required: true}}
		}, []string{"dependency cycle: db -> web -> db"}},
		{"duplicate host port", func(p *Project) {
			p.Services["db"].Ports = []Port{{HostPort: "8080", ContainerPort: 5432, Protocol: "tcp"}}
			p.Services["web"].Ports = []Port{{HostIP: "127.0.0.1", HostPort: "8080", ContainerPort: 80}}
		}, []string{`service "web": host port 8080/tcp is already published by service "db"`}},
		{"same port, other protocol or IP", func(p *Project) {
			p.Services["db"].Ports = []Port{{HostIP: "127.0.0.1", HostPort: "8080", ContainerPort: 5432, Protocol: "tcp"}, {HostPort: "8080", ContainerPort: 53, Protocol: "udp"}}
			p.Services["web"].Ports = []Port{{HostIP: "127.0.0.2", HostPort: "8080", ContainerPort: 80}}
		}, nil},
		{"replicas with fixed port and container name", func(p *Project) {
			web := p.Services["web"]
			web.Replicas = 2
			web.ContainerName = "web"
			web.Ports = []Port{{HostPort: "8080", ContainerPort: 80}, {ContainerPort: 81}, {HostPort: "9000-9001", ContainerPort: 90}}
		}, []string{`container_name "web" cannot be used with replicas = 2`, `host port 8080 cannot be published by 2 replicas`}},
		{"replicas above the size of a host port range", func(p *Project) {
			web := p.Services["web"]
			web.Replicas = 4
			web.Ports = []Port{{HostIP: "127.0.0.1", HostPort: "18080-18082", ContainerPort: 8080}, {HostPort: "9000-9003", ContainerPort: 90}}
		}, []string{`service "web": host port range 18080-18082 has 3 ports for 4 replicas`}},
		{"same container_name twice", func(p *Project) {
			p.Services["db"].ContainerName = "shared"
			p.Services["web"].ContainerName = "shared"
			p.Services["web"].Positions["container_name"] = Pos{File: "stack.hcl", Line: 6, Column: 3}
			p.Disabled["debug"].ContainerName = "shared" // never runs beside them
		}, []string{`stack.hcl:6:3: service "web": container_name "shared" is already used by service "db" (stack.hcl:1:1)`}},
		{"invalid container_name", func(p *Project) {
			p.Services["db"].ContainerName = "bad name/with slash"
			p.Services["web"].ContainerName = "w"
		}, []string{`service "db": invalid container_name "bad name/with slash"`, `service "web": invalid container_name "w"`}},
		{"valid container_name", func(p *Project) {
			p.Services["db"].ContainerName = "My.db_1-a"
			p.Services["web"].ContainerName = "0web"
		}, nil},
		{"invalid restart, pull policy, condition", func(p *Project) {
			web := p.Services["web"]
			web.Restart = "sometimes"
			web.PullPolicy = "hourly"
			web.DependsOn["db"] = Dependency{Condition: "service_ready", Required: true}
		}, []string{`invalid restart policy "sometimes"`, `invalid pull_policy "hourly"`, `invalid condition "service_ready"`}},
		{"valid restart policies", func(p *Project) {
			p.Services["web"].Restart = "on-failure:3"
			p.Services["db"].Restart = "unless-stopped"
		}, nil},
		{"no image nor build", func(p *Project) {
			p.Services["web"].Image = ""
			p.Services["db"].Image = ""
			p.Services["db"].Build = &Build{Context: "/src"}
		}, []string{`service "web" has neither image nor build`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validProject()
			tt.change(p)
			err := Validate(p)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var specErr *Error
			if !errors.As(err, &specErr) {
				t.Fatalf("Validate = %v, want *Error", err)
			}
			if len(specErr.Diags) != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%s", len(specErr.Diags), len(tt.want), err)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not contain %q:\n%s", want, err)
				}
			}
		})
	}
}
