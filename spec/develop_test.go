package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const developCompose = `
services:
  api:
    build: ./api
    develop:
      watch:
        - action: sync
          path: ./api/src
          target: /app/src
          ignore: ["*.tmp", "cache/"]
          include: ["*.go"]
          initial_sync: true
        - action: rebuild
          path: ./api/go.mod
        - action: sync+exec
          path: ./api/conf
          target: /etc/api
          exec:
            command: ["/app/reload", "--all"]
            user: "1000"
            working_dir: /etc/api
            privileged: true
            environment:
              MODE: dev
        - action: restart
          path: ./api/flags
`

const developHCL = `
service "api" {
  build { context = "./api" }
  develop {
    watch {
      action       = "sync"
      path         = "./api/src"
      target       = "/app/src"
      ignore       = ["*.tmp", "cache/"]
      include      = ["*.go"]
      initial_sync = true
    }
    watch {
      action = "rebuild"
      path   = "./api/go.mod"
    }
    watch {
      action = "sync+exec"
      path   = "./api/conf"
      target = "/etc/api"
      exec {
        command     = ["/app/reload", "--all"]
        user        = "1000"
        working_dir = "/etc/api"
        privileged  = true
        environment = { MODE = "dev" }
      }
    }
    watch {
      action = "restart"
      path   = "./api/flags"
    }
  }
}
`

func wantDevelop(dir string) *Develop {
	return &Develop{Watch: []WatchRule{
		{Action: WatchSync, Path: filepath.Join(dir, "api/src"), Target: "/app/src", Ignore: []string{"*.tmp", "cache/"}, Include: []string{"*.go"}, InitialSync: true},
		{Action: WatchRebuild, Path: filepath.Join(dir, "api/go.mod")},
		{Action: WatchSyncExec, Path: filepath.Join(dir, "api/conf"), Target: "/etc/api", Exec: &WatchExec{
			Command: []string{"/app/reload", "--all"}, User: "1000", WorkingDir: "/etc/api", Privileged: true,
			Environment: map[string]string{"MODE": "dev"},
		}},
		{Action: WatchRestart, Path: filepath.Join(dir, "api/flags")},
	}}
}

func writeStack(t *testing.T, name, src string) (dir, file string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "api"), 0o755); err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(dir, name)
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, file
}

// TestDevelopLoads reads the same develop.watch rules from compose and HCL
// into the same model, and each converts to the other and back unchanged.
func TestDevelopLoads(t *testing.T) {
	for _, tc := range []struct{ name, file, src string }{
		{"compose", "compose.yaml", developCompose},
		{"hcl", "stack.hcl", developHCL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, file := writeStack(t, tc.file, tc.src)
			p, err := Load(LoadOptions{Files: []string{file}})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range p.Warnings {
				if strings.Contains(w.String(), "develop") {
					t.Errorf("warning about develop: %s", w)
				}
			}
			if diff := cmp.Diff(wantDevelop(dir), p.Services["api"].Develop); diff != "" {
				t.Errorf("develop (-want +got):\n%s", diff)
			}
			hclSrc, err := MarshalHCLIn(p, dir)
			if err != nil {
				t.Fatal(err)
			}
			hclFile := filepath.Join(dir, "converted.hcl")
			if err := os.WriteFile(hclFile, hclSrc, 0o644); err != nil {
				t.Fatal(err)
			}
			viaHCL, err := Load(LoadOptions{Files: []string{hclFile}})
			if err != nil {
				t.Fatalf("%v\n%s", err, hclSrc)
			}
			if diff := cmp.Diff(wantDevelop(dir), viaHCL.Services["api"].Develop); diff != "" {
				t.Errorf("develop through HCL (-want +got):\n%s\n%s", diff, hclSrc)
			}
			yml, err := MarshalCompose(p, "yaml")
			if err != nil {
				t.Fatal(err)
			}
			ymlFile := filepath.Join(dir, "converted.yaml")
			if err := os.WriteFile(ymlFile, yml, 0o644); err != nil {
				t.Fatal(err)
			}
			viaCompose, err := Load(LoadOptions{Files: []string{ymlFile}})
			if err != nil {
				t.Fatalf("%v\n%s", err, yml)
			}
			if diff := cmp.Diff(wantDevelop(dir), viaCompose.Services["api"].Develop); diff != "" {
				t.Errorf("develop through compose (-want +got):\n%s\n%s", diff, yml)
			}
		})
	}
}

// TestDevelopPositions: rule keys have positions, for the watch checks'
// messages.
func TestDevelopPositions(t *testing.T) {
	for _, tc := range []struct{ name, file, src, key, want string }{
		{"compose", "compose.yaml", developCompose, "develop.watch[1].path", ":14:"},
		{"hcl", "stack.hcl", developHCL, "develop.watch[1].path", ":15:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, file := writeStack(t, tc.file, tc.src)
			p, err := Load(LoadOptions{Files: []string{file}})
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Services["api"].Pos(tc.key).String(); !strings.Contains(got, tc.want) {
				t.Errorf("Pos(%s) = %s, want line %s", tc.key, got, tc.want)
			}
		})
	}
}

func TestDevelopInvalid(t *testing.T) {
	for _, tc := range []struct{ name, file, src, want string }{
		{"compose unknown action", "compose.yaml", `
services:
  api:
    image: api
    develop:
      watch:
        - action: copy
          path: ./api
`, "action"},
		{"hcl unknown action", "stack.hcl", `
service "api" {
  image = "api"
  develop {
    watch {
      action = "copy"
      path   = "./api"
    }
  }
}
`, `stack.hcl:6,16-22: Invalid value for action`},
		{"hcl missing path", "stack.hcl", `
service "api" {
  image = "api"
  develop {
    watch { action = "sync" }
  }
}
`, `stack.hcl:5,13-13: Missing required argument`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, file := writeStack(t, tc.file, tc.src)
			_, err := Load(LoadOptions{Files: []string{file}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
