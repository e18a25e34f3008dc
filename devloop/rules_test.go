package devloop

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stack-dev/stack/spec"
)

// tarNames lists the entries of a sync set's tar, "name mode" for files.
func tarNames(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch h.Typeflag {
		case tar.TypeSymlink:
			out = append(out, h.Name+" -> "+h.Linkname)
		default:
			out = append(out, h.Name)
		}
	}
	sort.Strings(out)
	return out
}

func TestCollect(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	files := map[string]string{
		"a.go": "a", "b.tmp": "b", "sub/c.go": "c", "sub/d.txt": "d", "node_modules/x.js": "x",
		"secret.env": "s", ".dockerignore": "secret.env\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink("a.go", filepath.Join(dir, "in-link"))
	os.Symlink(filepath.Join(dir, "sub"), filepath.Join(dir, "abs-in-link"))
	os.Symlink(outside, filepath.Join(dir, "out-link"))
	os.Symlink("../../etc/passwd", filepath.Join(dir, "dotdot-link"))
	svc := &spec.Service{Name: "api", Build: &spec.Build{Context: dir}}
	p := func(rel string) string { return filepath.Join(dir, rel) }
	tests := []struct {
		name        string
		rule        spec.WatchRule
		changed     []string
		wantTar     []string
		wantRemoves []string
		wantSkipped int
	}{
		{"ignore and .dockerignore", spec.WatchRule{Action: "sync", Path: dir, Target: "/app", Ignore: []string{"*.tmp", "node_modules/"}},
			[]string{p("a.go"), p("b.tmp"), p("node_modules/x.js"), p("secret.env"), p("sub/d.txt")},
			[]string{"a.go", "sub/", "sub/d.txt"}, nil, 0},
		{"include selects files", spec.WatchRule{Action: "sync", Path: dir, Target: "/app", Include: []string{"*.go", "**/*.go"}},
			[]string{p("a.go"), p("sub/c.go"), p("sub/d.txt")},
			[]string{"a.go", "sub/", "sub/c.go"}, nil, 0},
		{"a new folder goes whole", spec.WatchRule{Action: "sync", Path: dir, Target: "/app/"},
			[]string{p("sub")},
			[]string{"sub/", "sub/c.go", "sub/d.txt"}, nil, 0},
		{"deletes, outermost only", spec.WatchRule{Action: "sync", Path: dir, Target: "/app"},
			[]string{p("gone"), p("gone/deeper/x"), p("also-gone.txt")},
			nil, []string{"also-gone.txt", "gone"}, 0},
		{"links: inside kept, outside skipped", spec.WatchRule{Action: "sync", Path: dir, Target: "/app"},
			[]string{p("in-link"), p("abs-in-link"), p("out-link"), p("dotdot-link")},
			[]string{"abs-in-link -> /app/sub", "in-link -> a.go"}, nil, 2},
		{"a single file rule", spec.WatchRule{Action: "sync", Path: p("sub/d.txt"), Target: "/etc/d.conf"},
			[]string{p("sub/d.txt"), p("a.go")},
			[]string{"d.conf"}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := newRule(svc, tt.rule)
			if err != nil {
				t.Fatal(err)
			}
			set, err := r.collect(tt.changed)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantTar, tarNames(t, set.tar)); diff != "" && !(len(tt.wantTar) == 0 && len(set.tar) == 0) {
				t.Errorf("tar (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantRemoves, set.removes); diff != "" {
				t.Errorf("removes (-want +got):\n%s", diff)
			}
			if len(set.skipped) != tt.wantSkipped {
				t.Errorf("skipped %v, want %d", set.skipped, tt.wantSkipped)
			}
		})
	}

	// Modes and owners come from the host file.
	r, _ := newRule(svc, spec.WatchRule{Action: "sync", Path: dir, Target: "/app"})
	set, _ := r.collect([]string{p("a.go")})
	tr := tar.NewReader(bytes.NewReader(set.tar))
	h, err := tr.Next()
	if err != nil {
		t.Fatal(err)
	}
	if h.Mode&0o777 != 0o640 || h.Uid != os.Getuid() || h.Gid != os.Getgid() {
		t.Errorf("a.go: mode %o owner %d:%d, want 640 %d:%d", h.Mode, h.Uid, h.Gid, os.Getuid(), os.Getgid())
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	proj := func(s *spec.Service) *spec.Project {
		s.Name = "api"
		s.Positions = map[string]spec.Pos{"develop.watch[0].path": {File: "stack.hcl", Line: 7, Column: 5}}
		return &spec.Project{Services: map[string]*spec.Service{"api": s, "db": {Name: "db"}}}
	}
	dev := func(rules ...spec.WatchRule) *spec.Develop { return &spec.Develop{Watch: rules} }
	tests := []struct {
		name     string
		p        *spec.Project
		services []string
		want     string // "" means valid
	}{
		{"valid", proj(&spec.Service{Develop: dev(spec.WatchRule{Action: "sync", Path: dir, Target: "/app"})}), nil, ""},
		{"missing path", proj(&spec.Service{Develop: dev(spec.WatchRule{Action: "sync", Path: dir + "/nope", Target: "/app"})}), nil,
			"stack.hcl:7:5: services.api.develop.watch[0].path: " + dir + "/nope does not exist"},
		{"sync without target", proj(&spec.Service{Develop: dev(spec.WatchRule{Action: "sync+restart", Path: dir})}), nil,
			"services.api.develop.watch[0]: action sync+restart needs a target"},
		{"relative target", proj(&spec.Service{Develop: dev(spec.WatchRule{Action: "sync", Path: dir, Target: "app"})}), nil,
			"target app must be an absolute path"},
		{"rebuild without build", proj(&spec.Service{Develop: dev(spec.WatchRule{Action: "rebuild", Path: dir})}), nil,
			"services.api.develop.watch[0].action: action rebuild needs a build section"},
		{"sync+exec without exec", proj(&spec.Service{Develop: dev(spec.WatchRule{Action: "sync+exec", Path: dir, Target: "/app"})}), nil,
			"needs exec.command"},
		{"named service without rules", proj(&spec.Service{Develop: dev(spec.WatchRule{Action: "restart", Path: dir})}), []string{"db"},
			"service db has no develop.watch rules"},
		{"no rules anywhere", &spec.Project{Services: map[string]*spec.Service{"db": {Name: "db"}}}, nil,
			"no service has develop.watch rules"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Check(tt.p, tt.services)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestMatches(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.go"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "a.txt"), nil, 0o644)
	os.Mkdir(filepath.Join(dir, "pkg"), 0o755)
	r, err := newRule(&spec.Service{Name: "api"}, spec.WatchRule{Action: "rebuild", Path: dir, Ignore: []string{"*.tmp"}, Include: []string{"*.go", "pkg"}})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		"a.go": true, "a.txt": false, "pkg": true, "gone.go": true, "gone.tmp": false, "gone-folder": true,
	} {
		if got := r.matches(filepath.Join(dir, name)); got != want {
			t.Errorf("matches(%s) = %v, want %v", name, got, want)
		}
	}
	if r.matches(filepath.Dir(dir)) || r.matches(filepath.Join(filepath.Dir(dir), "other")) {
		t.Error("a path outside the rule matches")
	}
}
