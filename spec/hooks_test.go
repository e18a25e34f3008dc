package spec

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hooksWant is the model both the compose fixture testdata/compose/hooks
// and its HCL twin below load into.
func hooksWant() (app, database *Service) {
	f := false
	app = &Service{
		Attach: &f,
		PreStart: []PreStartHook{{
			Image: "migrate:1",
			Hook:  Hook{Command: []string{"migrate", "up"}, User: "1000", WorkingDir: "/migrations", Environment: map[string]string{"STAGE": "migrate"}},
		}},
		PostStart: []Hook{
			{Command: []string{"sh", "-c", "echo started"}, User: "root", Privileged: true, WorkingDir: "/tmp", Environment: map[string]string{"STAGE": "post"}},
			{Command: []string{"echo", "second"}},
		},
		PreStop: []Hook{{Command: []string{"sh", "-c", "echo stopping"}}},
	}
	database = &Service{Provider: &Provider{Type: "awesomecloud", Options: map[string][]string{
		"type": {"mysql"}, "size": {"256"}, "tag": {"a", "b"},
	}}}
	return app, database
}

const hooksHCL = `
service "app" {
  image      = "app:1"
  depends_on = [service.database]
  attach     = false
  environment = { UNSET_IN_TEST = null, SET_IN_TEST = "yes" }
  pre_start {
    image       = "migrate:1"
    command     = ["migrate", "up"]
    user        = "1000"
    working_dir = "/migrations"
    environment = { STAGE = "migrate" }
  }
  post_start {
    command     = ["sh", "-c", "echo started"]
    user        = "root"
    privileged  = true
    working_dir = "/tmp"
    environment = { STAGE = "post" }
  }
  post_start {
    command = "echo second"
  }
  pre_stop {
    command = ["sh", "-c", "echo stopping"]
  }
}

service "database" {
  provider {
    type    = "awesomecloud"
    options = { type = "mysql", size = 256, tag = ["a", "b"] }
  }
}
`

func TestHooksLoad(t *testing.T) {
	hclProject := mustLoadHCL(t, hooksHCL, nil, LoadOptions{})
	for _, tc := range []struct {
		name string
		p    *Project
	}{
		{"compose", loadFixture(t, "hooks")},
		{"hcl", hclProject},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.p.Warnings) > 0 {
				t.Errorf("warnings: %v", tc.p.Warnings)
			}
			wantApp, wantDB := hooksWant()
			app, db := tc.p.Services["app"], tc.p.Services["database"]
			got := []any{app.Attach, app.PostStart, app.PreStop, db.Provider, app.Attached(), db.Attached(), app.UnsetEnv, app.Environment}
			want := []any{wantApp.Attach, wantApp.PostStart, wantApp.PreStop, wantDB.Provider, false, true, []string{"UNSET_IN_TEST"}, map[string]string{"SET_IN_TEST": "yes"}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if pos := app.Pos("post_start[0].privileged"); pos.Line == 0 || pos == app.Pos("") {
				t.Errorf("no position for post_start[0].privileged: %v", pos)
			}
		})
	}
}

func TestHooksInvalid(t *testing.T) {
	for _, tc := range []struct {
		name, compose, hcl, want string
	}{
		{
			name:    "per replica",
			compose: "services:\n  a:\n    image: x\n    pre_start:\n      - command: [init]\n        per_replica: true\n",
			hcl:     "service \"a\" {\n  image = \"x\"\n  pre_start {\n    command = [\"init\"]\n    per_replica = true\n  }\n}\n",
			want:    `per_replica is not supported`,
		},
		{
			name:    "compose provider",
			compose: "services:\n  a:\n    provider:\n      type: compose\n",
			hcl:     "service \"a\" {\n  provider {\n    type = \"compose\"\n  }\n}\n",
			want:    `'compose' is not a valid provider type`,
		},
		{
			name:    "hook without command",
			compose: "services:\n  a:\n    image: x\n    post_start:\n      - user: root\n",
			hcl:     "service \"a\" {\n  image = \"x\"\n  post_start {\n    user = \"root\"\n  }\n}\n",
			want:    `command`,
		},
		{
			name:    "hooks on a provider",
			compose: "services:\n  a:\n    provider:\n      type: cloud\n    pre_stop:\n      - command: [x]\n",
			hcl:     "service \"a\" {\n  provider {\n    type = \"cloud\"\n  }\n  pre_stop {\n    command = [\"x\"]\n  }\n}\n",
			want:    `no containers to run hooks in`,
		},
	} {
		t.Run(tc.name+"/compose", func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "compose.yaml")
			writeTestFile(t, file, tc.compose)
			_, err := Load(LoadOptions{Files: []string{file}, Environ: []string{}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "compose.yaml:") {
				t.Errorf("error %q names no file:line", err)
			}
		})
		t.Run(tc.name+"/hcl", func(t *testing.T) {
			_, err := loadHCLSource(t, tc.hcl, nil, LoadOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "stack.hcl:") {
				t.Errorf("error %q names no file:line", err)
			}
		})
	}
}

// TestPreStartUnusedKeys: compose-go accepts a whole container spec in a
// pre_start hook, but Compose runs it with image, command, user,
// working_dir, environment and privileged only. Anything else is reported,
// not dropped silently.
func TestPreStartUnusedKeys(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	writeTestFile(t, file, "services:\n  a:\n    image: x\n    pre_start:\n      - command: [init]\n        cap_add: [NET_ADMIN]\n")
	p, err := Load(LoadOptions{Files: []string{file}, Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, w := range p.Warnings {
		keys = append(keys, w.KeyPath)
	}
	if !strings.Contains(strings.Join(keys, " "), "services.a.pre_start[].cap_add") {
		t.Errorf("warnings %v do not name pre_start[].cap_add", p.Warnings)
	}
}
