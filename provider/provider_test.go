package provider_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stack-dev/stack/provider"
	"github.com/stack-dev/stack/provider/providertest"
	"github.com/stack-dev/stack/spec"
)

// BuildFakeCloud builds testdata/fakecloud into a folder of its own and
// returns that folder (for PATH) and the binary.
func buildFakeCloud(t *testing.T) (dir, bin string) {
	t.Helper()
	dir = t.TempDir()
	bin = filepath.Join(dir, "fakecloud")
	cmd := exec.Command("go", "build", "-o", bin, "./testdata/fakecloud")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build fakecloud: %v\n%s", err, out)
	}
	return dir, bin
}

func TestProviderProtocol(t *testing.T) {
	_, bin := buildFakeCloud(t)
	state := t.TempDir()
	environ := append(os.Environ(), "FAKECLOUD_STATE="+state)
	look := func(typ string) (string, error) {
		if typ != "fakecloud" {
			t.Errorf("looked up %q", typ)
		}
		return bin, nil
	}
	db := &spec.Service{Name: "database", Provider: &spec.Provider{Type: "fakecloud", Options: map[string][]string{
		"type": {"mysql"}, "size": {"256"}, "tag": {"a", "b"},
	}}}
	tests := []struct {
		name     string
		environ  []string
		options  map[string][]string
		wantURL  string // "" when up fails
		wantErr  string
		wantInfo []string
	}{
		{
			name:     "options as flags, sorted, repeated",
			environ:  environ,
			options:  db.Provider.Options,
			wantURL:  "fake://proj/database?size=256&tag=a&tag=b&type=mysql",
			wantInfo: []string{"info preparing database", "debug options size=256 tag=a tag=b type=mysql", "info ready"},
		},
		{
			name:    "metadata filters undeclared options",
			environ: append(environ, "FAKECLOUD_METADATA=1"),
			options: db.Provider.Options,
			wantURL: "fake://proj/database?size=256&type=mysql",
		},
		{
			name:    "metadata requires a declared parameter",
			environ: append(environ, "FAKECLOUD_METADATA=1"),
			options: map[string][]string{"size": {"1"}},
			wantErr: `required parameter "type" is missing from provider "fakecloud" definition`,
		},
		{
			name:     "error message",
			environ:  environ,
			options:  map[string][]string{"fail": {"quota exceeded"}},
			wantErr:  "quota exceeded",
			wantInfo: []string{"error quota exceeded"},
		},
		{
			name:    "non-zero exit",
			environ: environ,
			options: map[string][]string{"crash": {"3"}},
			wantErr: "failed to create service provider: exit status 3: fakecloud: crashed on purpose",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var got []string
			r := &provider.Runner{Environ: tc.environ, LookPath: look}
			s := &spec.Service{Name: "database", Provider: &spec.Provider{Type: "fakecloud", Options: tc.options}}
			vars, err := r.Up(context.Background(), "proj", s, func(m provider.Message) {
				mu.Lock()
				got = append(got, m.Type+" "+m.Message)
				mu.Unlock()
			})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("up: %v, want an error containing %q", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatalf("up: %v", err)
			}
			if tc.wantURL != "" {
				env := vars.Env("database")
				if env["DATABASE_URL"] != tc.wantURL || env["SECRET_KEY"] != "xyz" || len(env) != 2 {
					t.Errorf("dependents' env = %v, want DATABASE_URL=%s and SECRET_KEY=xyz", env, tc.wantURL)
				}
				if err := r.Down(context.Background(), "proj", s, nil); err != nil {
					t.Errorf("down: %v", err)
				}
				if _, err := os.Stat(filepath.Join(state, "proj-database")); !os.IsNotExist(err) {
					t.Errorf("down left the resource: %v", err)
				}
			}
			if tc.wantInfo != nil && strings.Join(got, "\n") != strings.Join(tc.wantInfo, "\n") {
				t.Errorf("messages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.wantInfo, "\n"))
			}
		})
	}
}

func TestFind(t *testing.T) {
	dir, _ := buildFakeCloud(t)
	t.Setenv("PATH", dir)
	plugins := t.TempDir()
	t.Setenv("DOCKER_CONFIG", plugins)
	if got, err := provider.Find("fakecloud"); err != nil || got != filepath.Join(dir, "fakecloud") {
		t.Errorf("Find on PATH = %q, %v", got, err)
	}
	// A Docker CLI plugin docker-<type> wins over PATH, as in Compose.
	if err := os.MkdirAll(filepath.Join(plugins, "cli-plugins"), 0o755); err != nil {
		t.Fatal(err)
	}
	plugin := filepath.Join(plugins, "cli-plugins", "docker-fakecloud")
	if err := os.Link(filepath.Join(dir, "fakecloud"), plugin); err != nil {
		t.Fatal(err)
	}
	if got, err := provider.Find("fakecloud"); err != nil || got != plugin {
		t.Errorf("Find with a plugin = %q, %v", got, err)
	}
	if _, err := provider.Find("nocloud"); err == nil || !strings.Contains(err.Error(), "no Docker CLI plugin docker-nocloud and no nocloud on PATH") {
		t.Errorf("Find of a missing provider: %v", err)
	}
}

// TestRunnerConformance runs the suite the fake passes against the real
// binary.
func TestRunnerConformance(t *testing.T) {
	_, bin := buildFakeCloud(t)
	providertest.Run(t, func(t *testing.T) (provider.Service, func(string, string) bool) {
		state := t.TempDir()
		r := &provider.Runner{
			Environ:  append(os.Environ(), "FAKECLOUD_STATE="+state),
			LookPath: func(string) (string, error) { return bin, nil },
		}
		return r, func(project, service string) bool {
			_, err := os.Stat(filepath.Join(state, project+"-"+service))
			return err == nil
		}
	})
}

// stop is opt-in: only a binary whose metadata declares it is called.
func TestStopIsOptIn(t *testing.T) {
	_, bin := buildFakeCloud(t)
	for _, tc := range []struct {
		name     string
		metadata bool
	}{{"declared", true}, {"not declared", false}} {
		t.Run(tc.name, func(t *testing.T) {
			state := t.TempDir()
			environ := append(os.Environ(), "FAKECLOUD_STATE="+state)
			if tc.metadata {
				environ = append(environ, "FAKECLOUD_METADATA=1")
			}
			r := &provider.Runner{Environ: environ, LookPath: func(string) (string, error) { return bin, nil }}
			s := &spec.Service{Name: "database", Provider: &spec.Provider{Type: "fakecloud", Options: map[string][]string{"type": {"mysql"}}}}
			if _, err := r.Up(context.Background(), "proj", s, nil); err != nil {
				t.Fatal(err)
			}
			if err := r.Stop(context.Background(), "proj", s, nil); err != nil {
				t.Fatal(err)
			}
			_, err := os.Stat(filepath.Join(state, "proj-database.stopped"))
			if stopped := err == nil; stopped != tc.metadata {
				t.Errorf("stop called = %v, want %v", stopped, tc.metadata)
			}
		})
	}
}
