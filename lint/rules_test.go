package lint

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stack-dev/stack/spec"
)

// cleanService passes every rule; each case below breaks one thing.
func cleanService() *spec.Service {
	return &spec.Service{
		Name:        "db",
		Image:       "postgres:16.4",
		User:        "999:999",
		Environment: map[string]string{"POSTGRES_DB": "app"},
		Ports:       []spec.Port{{HostIP: "127.0.0.1", HostPort: "5432", ContainerPort: 5432, Protocol: "tcp"}},
		Volumes:     []spec.Mount{{Type: spec.MountVolume, Source: "data", Target: "/var/lib/postgresql/data"}},
		CapAdd:      []string{"NET_BIND_SERVICE"},
		SecurityOpt: []string{"no-new-privileges:true"},
	}
}

func projectOf(s *spec.Service) *spec.Project {
	return &spec.Project{
		Name:     "lt",
		Services: map[string]*spec.Service{s.Name: s},
		Volumes: map[string]*spec.Volume{
			"data": {Key: "data"},
			"sock": {Key: "sock", Driver: "local", DriverOpts: map[string]string{"type": "none", "o": "bind", "device": "/var/run/docker.sock"}},
		},
	}
}

// summary is "rule key" for each finding, the part the cases pin down.
func summary(findings []Finding) []string {
	var out []string
	for _, f := range findings {
		out = append(out, f.Rule+" "+f.Key)
	}
	return out
}

func TestRules(t *testing.T) {
	tests := []struct {
		name        string
		edit        func(s *spec.Service)
		want        []string
		wantMessage string // a part of the first finding's message
	}{
		{name: "clean", edit: func(s *spec.Service) {}},

		{name: "privileged post_start", edit: func(s *spec.Service) {
			s.PostStart = []spec.Hook{{Command: []string{"true"}}, {Command: []string{"sysctl"}, Privileged: true}}
		}, want: []string{"privileged-hook post_start[1].privileged"}, wantMessage: "post_start hook 1 runs privileged"},
		{name: "privileged pre_stop and pre_start", edit: func(s *spec.Service) {
			s.PreStop = []spec.Hook{{Command: []string{"flush"}, Privileged: true}}
			s.PreStart = []spec.PreStartHook{{Hook: spec.Hook{Command: []string{"init"}, Privileged: true}}}
		}, want: []string{"privileged-hook pre_start[0].privileged", "privileged-hook pre_stop[0].privileged"}, wantMessage: "the hook container"},
		{name: "unprivileged hooks", edit: func(s *spec.Service) {
			s.PostStart = []spec.Hook{{Command: []string{"true"}, User: "1000"}}
		}},
		{name: "provider service has no container to check", edit: func(s *spec.Service) {
			*s = spec.Service{Name: "db", Provider: &spec.Provider{Type: "cloud"}}
		}},

		{name: "user root", edit: func(s *spec.Service) { s.User = "root" }, want: []string{"root-user user"}, wantMessage: `runs as root (user "root")`},
		{name: "user 0:0", edit: func(s *spec.Service) { s.User = "0:0" }, want: []string{"root-user user"}},
		{name: "root group only", edit: func(s *spec.Service) { s.User = "1000:0" }},
		{name: "no user", edit: func(s *spec.Service) { s.User = "" }, want: []string{"root-user user"}, wantMessage: "may be root"},

		{name: "privileged", edit: func(s *spec.Service) { s.Privileged = true }, want: []string{"privileged privileged"}},

		{name: "docker socket bind", edit: func(s *spec.Service) {
			s.Volumes = append(s.Volumes, spec.Mount{Type: spec.MountBind, Source: "/var/run/docker.sock", Target: "/var/run/docker.sock", ReadOnly: true})
		}, want: []string{"docker-socket volumes[1]"}, wantMessage: "/var/run/docker.sock"},
		{name: "docker socket under /run", edit: func(s *spec.Service) {
			s.Volumes = []spec.Mount{{Type: spec.MountBind, Source: "/run/docker.sock", Target: "/sock"}}
		}, want: []string{"docker-socket volumes[0]"}},
		{name: "rootless docker socket", edit: func(s *spec.Service) {
			s.Volumes = []spec.Mount{{Type: spec.MountBind, Source: "/run/user/1000/docker.sock", Target: "/var/run/docker.sock"}}
		}, want: []string{"docker-socket volumes[0]"}},
		{name: "docker socket as a local volume", edit: func(s *spec.Service) {
			s.Volumes = []spec.Mount{{Type: spec.MountVolume, Source: "sock", Target: "/var/run/docker.sock"}}
		}, want: []string{"docker-socket volumes[0]"}},
		{name: "other socket", edit: func(s *spec.Service) {
			s.Volumes = []spec.Mount{{Type: spec.MountBind, Source: "/var/run/app.sock", Target: "/app.sock"}}
		}},

		{name: "untagged image", edit: func(s *spec.Service) { s.Image = "postgres" }, want: []string{"unpinned-image image"}, wantMessage: "has no tag"},
		{name: "latest image", edit: func(s *spec.Service) { s.Image = "ghcr.io/acme/api:latest" }, want: []string{"unpinned-image image"}, wantMessage: "latest tag"},
		{name: "registry port is no tag", edit: func(s *spec.Service) { s.Image = "localhost:5000/api" }, want: []string{"unpinned-image image"}},
		{name: "registry port and tag", edit: func(s *spec.Service) { s.Image = "localhost:5000/api:1.2" }},
		{name: "digest", edit: func(s *spec.Service) { s.Image = "postgres@sha256:" + strings.Repeat("ab", 32) }},
		{name: "built image may be latest", edit: func(s *spec.Service) {
			s.Image = "api:latest"
			s.Build = &spec.Build{Context: "/src"}
		}},

		{name: "password", edit: func(s *spec.Service) { s.Environment["POSTGRES_PASSWORD"] = "hunter2" },
			want: []string{"secret-in-env environment.POSTGRES_PASSWORD"}, wantMessage: "holds a secret in plain text"},
		{name: "api key", edit: func(s *spec.Service) { s.Environment["STRIPE_API_KEY"] = "sk_test_123" }, want: []string{"secret-in-env environment.STRIPE_API_KEY"}},
		{name: "empty password", edit: func(s *spec.Service) { s.Environment["POSTGRES_PASSWORD"] = "" }},
		{name: "password file", edit: func(s *spec.Service) { s.Environment["POSTGRES_PASSWORD_FILE"] = "/run/secrets/db" }},
		{name: "flag under a secret name", edit: func(s *spec.Service) { s.Environment["TOKEN_AUTH"] = "true" }},
		{name: "aws key", edit: func(s *spec.Service) { s.Environment["AWS_KEY"] = "AKIA" + strings.Repeat("Q", 16) },
			want: []string{"secret-in-env environment.AWS_KEY"}, wantMessage: "an AWS access key"},
		{name: "jwt", edit: func(s *spec.Service) {
			s.Environment["BEARER"] = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
		}, want: []string{"secret-in-env environment.BEARER"}, wantMessage: "a JWT"},
		{name: "pem", edit: func(s *spec.Service) { s.Environment["TLS"] = "-----BEGIN RSA PRIVATE KEY-----\nMIIE..." },
			want: []string{"secret-in-env environment.TLS"}, wantMessage: "a PEM private key"},
		{name: "url with password", edit: func(s *spec.Service) { s.Environment["DATABASE_URL"] = "postgres://app:pw@db/app" },
			want: []string{"secret-in-env environment.DATABASE_URL"}, wantMessage: "a URL with a password"},
		{name: "url without password", edit: func(s *spec.Service) { s.Environment["DATABASE_URL"] = "postgres://db/app" }},

		{name: "port on all interfaces", edit: func(s *spec.Service) { s.Ports[0].HostIP = "" }, want: []string{"port-all-interfaces ports[0]"}, wantMessage: "5432->5432/tcp"},
		{name: "port on 0.0.0.0", edit: func(s *spec.Service) { s.Ports[0].HostIP = "0.0.0.0" }, want: []string{"port-all-interfaces ports[0]"}},
		{name: "port on ::", edit: func(s *spec.Service) { s.Ports[0].HostIP = "::" }, want: []string{"port-all-interfaces ports[0]"}},
		{name: "ephemeral host port", edit: func(s *spec.Service) { s.Ports[0] = spec.Port{ContainerPort: 5432} }},

		{name: "cap ALL", edit: func(s *spec.Service) { s.CapAdd = append(s.CapAdd, "ALL") }, want: []string{"dangerous-capability cap_add[1]"}},
		{name: "cap sys_admin any case", edit: func(s *spec.Service) { s.CapAdd = []string{"cap_sys_admin"} }, want: []string{"dangerous-capability cap_add[0]"}},

		{name: "use_api_socket", edit: func(s *spec.Service) { s.UseAPISocket = true }, want: []string{"docker-socket use_api_socket"}, wantMessage: "registry credentials"},
		{name: "network host", edit: func(s *spec.Service) { s.NetworkMode = "host"; s.Ports = nil }, want: []string{"host-namespace network_mode"}, wantMessage: "host's network"},
		{name: "pid and ipc host", edit: func(s *spec.Service) { s.Pid = "host"; s.Ipc = "host" },
			want: []string{"host-namespace ipc", "host-namespace pid"}, wantMessage: "shared memory"},
		{name: "shared with a service", edit: func(s *spec.Service) { s.Pid = "service:app"; s.Ipc = "shareable" }},
		{name: "device", edit: func(s *spec.Service) {
			s.Devices = []spec.Device{{Source: "/dev/kvm", Target: "/dev/kvm", Permissions: "rwm"}}
		},
			want: []string{"host-device devices[0]"}, wantMessage: "/dev/kvm"},
		{name: "device cgroup rule for all", edit: func(s *spec.Service) { s.DeviceCgroupRules = []string{"c 10:229 rwm", "a *:* rwm"} },
			want: []string{"host-device device_cgroup_rules[1]"}},

		{name: "seccomp unconfined", edit: func(s *spec.Service) { s.SecurityOpt = []string{"seccomp:unconfined"} }, want: []string{"unconfined security_opt[0]"}, wantMessage: "seccomp"},
		{name: "apparmor unconfined", edit: func(s *spec.Service) { s.SecurityOpt = []string{"label=disable", "apparmor=unconfined"} },
			want: []string{"unconfined security_opt[0]", "unconfined security_opt[1]"}, wantMessage: "SELinux"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := cleanService()
			tt.edit(s)
			got := Check(context.Background(), projectOf(s), Options{})
			if !slices.Equal(summary(got), tt.want) {
				t.Fatalf("findings = %q, want %q", summary(got), tt.want)
			}
			for _, f := range got {
				if f.Severity != SeverityWarning || f.Service != "db" || f.Message == "" || f.Fix == "" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
			if tt.wantMessage != "" && !strings.Contains(got[0].Message, tt.wantMessage) {
				t.Errorf("message %q does not contain %q", got[0].Message, tt.wantMessage)
			}
		})
	}
}

// A secret is never printed, only its key.
func TestSecretValueNotPrinted(t *testing.T) {
	s := cleanService()
	s.Environment["DB_PASSWORD"] = "correct-horse-battery"
	for _, f := range Check(context.Background(), projectOf(s), Options{}) {
		if line := fmt.Sprintf("%s %s", f, f.Fix); strings.Contains(line, "correct-horse") {
			t.Fatalf("finding prints the secret: %s", line)
		}
	}
}

func TestImageUserLookup(t *testing.T) {
	tests := []struct {
		name        string
		imageUser   string
		known       bool
		wantMessage string // "" for no finding
	}{
		{name: "image runs as root", imageUser: "", known: true, wantMessage: "no user set, and image postgres:16.4 runs as root"},
		{name: "image runs as uid 0", imageUser: "0", known: true, wantMessage: "runs as root"},
		{name: "image has a user", imageUser: "postgres", known: true},
		{name: "image not known", known: false, wantMessage: "may be root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := cleanService()
			s.User = ""
			var asked string
			got := Check(context.Background(), projectOf(s), Options{ImageUser: func(_ context.Context, image string) (string, bool) {
				asked = image
				return tt.imageUser, tt.known
			}})
			if asked != "postgres:16.4" {
				t.Errorf("looked up %q, want the service image", asked)
			}
			if tt.wantMessage == "" {
				if len(got) != 0 {
					t.Fatalf("findings = %v, want none", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0].Message, tt.wantMessage) {
				t.Fatalf("findings = %v, want one with %q", got, tt.wantMessage)
			}
		})
	}
}

// Keys the loader did not record fall back to the most specific one it did,
// then to the service.
func TestPositionFallback(t *testing.T) {
	file := "/stack/compose.yaml"
	at := func(line int) spec.Pos { return spec.Pos{File: file, Line: line, Column: 5} }
	s := cleanService()
	s.User = "root"
	s.CapAdd = []string{"SYS_ADMIN"}
	s.Ports[0].HostIP = ""
	// compose expands port ranges, so a port may have no item of its own.
	s.Ports = append(s.Ports, spec.Port{HostPort: "9000", ContainerPort: 90})
	s.Environment["API_TOKEN"] = "t0k3n"
	s.Positions = map[string]spec.Pos{
		"":                  at(2),
		"user":              at(4),
		"cap_add":           at(6),
		"ports":             at(7),
		"ports[0]":          at(8),
		"ports[0].host_ip":  at(9),
		"environment":       at(11),
		"environment.OTHER": at(12),
	}
	got := Check(context.Background(), projectOf(s), Options{})
	var lines []string
	for _, f := range got {
		lines = append(lines, fmt.Sprintf("%d %s", f.Line, f.Rule))
	}
	// API_TOKEN has no position of its own: it came from an env_file, so it
	// is not a finding.
	want := []string{"4 root-user", "6 dangerous-capability", "7 port-all-interfaces", "9 port-all-interfaces"}
	if !slices.Equal(lines, want) {
		t.Fatalf("findings at %q, want %q", lines, want)
	}
}
