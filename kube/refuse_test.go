package kube_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stack-dev/stack/kube"
	"github.com/stack-dev/stack/spec"
)

// TestRefusals: every key without a Kubernetes counterpart is named with
// its key path and a reason, and --drop lets it go.
func TestRefusals(t *testing.T) {
	tests := []struct {
		name    string
		compose string
		keyPath string
		reason  string
	}{
		{"bind mount", `image: a:1
    volumes: ["/srv:/srv"]`, "services.s.volumes[0]", "--host-path"},
		{"container name", `image: a:1
    container_name: fixed`, "services.s.container_name", "named by their controller"},
		{"user by name", `image: a:1
    user: nobody`, "services.s.user", "numeric user ID"},
		{"stop signal", `image: a:1
    stop_signal: SIGINT`, "services.s.stop_signal", "SIGTERM"},
		{"security option", `image: a:1
    security_opt: ["label:disable"]`, "services.s.security_opt[0]", "no counterpart"},
		{"all GPUs", `image: a:1
    gpus: all`, "services.s.deploy.resources.reservations.devices[0]", "give a count"},
		{"GPU by device ID", `image: a:1
    gpus:
      - device_ids: ["0"]`, "services.s.deploy.resources.reservations.devices[0]", "ask for a count"},
		{"build without image", `build: .`, "services.s.build", "cannot build"},
		{"service name not a DNS label", "", "services.s_1", "DNS label"},
		{"host-gateway", `image: a:1
    extra_hosts: ["host.docker.internal:host-gateway"]`, "services.s.extra_hosts[0]", "IP address"},
		{"secret owner", `image: a:1
    secrets:
      - source: k
        uid: "1000"`, "services.s.secrets[0]", "fsGroup"},
		{"fixed address", `image: a:1
    networks:
      n:
        ipv4_address: 172.28.0.5`, "services.s.networks.n.ipv4_address", "given by the cluster"},
		{"wait without a port", `image: a:1
    depends_on: [other]
  other:
    image: b:1`, "services.s.depends_on.other", "no port to wait on"},
		{"job that always restarts", `image: a:1
    depends_on:
      other: {condition: service_completed_successfully}
  other:
    image: b:1
    restart: always`, "services.other.restart", "runs once"},
		{"healthy without a healthcheck", `image: a:1
    depends_on:
      other: {condition: service_healthy}
  other:
    image: b:1
    expose: ["80"]`, "services.s.depends_on.other.condition", "no healthcheck"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			doc := "services:\n  s:\n    " + tc.compose + "\n"
			if tc.name == "service name not a DNS label" {
				doc = "services:\n  s_1:\n    image: a:1\n"
			}
			doc += "secrets:\n  k:\n    environment: HOME\nnetworks:\n  n:\n    ipam:\n      config: [{subnet: 172.28.0.0/16}]\n"
			file := filepath.Join(dir, "compose.yaml")
			if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := spec.Load(spec.LoadOptions{Files: []string{file}, ProjectName: "refuse"})
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			_, err = kube.Export(context.Background(), p, kube.Options{})
			var refused *kube.RefusedError
			if !errors.As(err, &refused) {
				t.Fatalf("err = %v, want a refusal of %s", err, tc.keyPath)
			}
			r := refused.Refusals[0]
			if r.KeyPath != tc.keyPath || !strings.Contains(r.Reason, tc.reason) {
				t.Fatalf("refused %s: %s; want %s: ...%s...", r.KeyPath, r.Reason, tc.keyPath, tc.reason)
			}
			if strings.HasPrefix(tc.keyPath, "services.s.") && r.Pos.Line == 0 {
				t.Errorf("refusal of %s has no position", tc.keyPath)
			}
			// Allowed to be dropped: the export goes through with a note.
			m, err := kube.Export(context.Background(), p, kube.Options{Drop: []string{tc.keyPath}})
			if err != nil {
				t.Fatalf("with --drop %s: %v", tc.keyPath, err)
			}
			if !containsNote(m.Notes, tc.keyPath+": dropped") {
				t.Errorf("notes %q do not say %s was dropped", m.Notes, tc.keyPath)
			}
			// A wildcard over services drops it too.
			if rest, ok := strings.CutPrefix(tc.keyPath, "services.s."); ok {
				if _, err := kube.Export(context.Background(), p, kube.Options{Drop: []string{"services.*." + rest}}); err != nil {
					t.Errorf("with --drop services.*.%s: %v", rest, err)
				}
			}
		})
	}
}

func containsNote(notes []string, s string) bool {
	for _, n := range notes {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// TestRefusalsAreAllReported: several refused keys are reported together,
// sorted by key path, and nothing is exported.
func TestRefusalsAreAllReported(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	doc := "services:\n  b:\n    image: b:1\n    container_name: xx\n  a:\n    image: a:1\n    volumes: [\"/x:/x\"]\n    stop_signal: SIGINT\n"
	if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := spec.Load(spec.LoadOptions{Files: []string{file}, ProjectName: "many"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := kube.Export(context.Background(), p, kube.Options{})
	if m != nil {
		t.Error("a refused export returned manifests")
	}
	var refused *kube.RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("err = %v", err)
	}
	var paths []string
	for _, r := range refused.Refusals {
		paths = append(paths, r.KeyPath)
	}
	want := "services.a.stop_signal,services.a.volumes[0],services.b.container_name"
	if got := strings.Join(paths, ","); got != want {
		t.Errorf("refused %s, want %s", got, want)
	}
	if msg := err.Error(); !strings.Contains(msg, "compose.yaml:7:") || !strings.Contains(msg, "--drop") {
		t.Errorf("error does not point at the file and line and name --drop:\n%s", msg)
	}
}

// A --drop key covers its list items, and a --drop that matches nothing
// says so rather than pass for a dropped key.
func TestDropCoversItemsAndNamesMisses(t *testing.T) {
	file := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(file, []byte("services:\n  app:\n    image: app:1\n    devices: [/dev/fuse, /dev/kvm]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := load(t, file)
	m, err := kube.Export(context.Background(), p, kube.Options{Drop: []string{"services.app.devices", "services.ap.ports"}})
	if err != nil {
		t.Fatalf("export with --drop services.app.devices: %v", err)
	}
	notes := strings.Join(m.Notes, "\n")
	if !strings.Contains(notes, "services.app.devices[1]: dropped") {
		t.Errorf("notes %q: want devices[1] dropped by the list's key", notes)
	}
	if !strings.Contains(notes, "--drop services.ap.ports matched no refused key") {
		t.Errorf("notes %q: want the unmatched --drop named", notes)
	}
}

// A dependency that links or volumes_from implies is not refused under a
// depends_on key the file does not have: the key that implies it is
// reported, and the wait left out is a note. One the file writes under
// depends_on is still refused there.
func TestImpliedDependencyNamesItsKey(t *testing.T) {
	for _, tt := range []struct {
		name, file string
		refused    string // a key path refused, "" for none
		note       string
	}{
		{"links", "services:\n  db:\n    image: db:1\n  web:\n    image: web:1\n    links: [db]\n",
			"", "services.web: starts without waiting for db"},
		{"written", "services:\n  db:\n    image: db:1\n  web:\n    image: web:1\n    depends_on: [db]\n    links: [db]\n",
			"services.web.depends_on.db", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "compose.yaml")
			if err := os.WriteFile(file, []byte(tt.file), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := kube.Export(context.Background(), load(t, file), kube.Options{Drop: []string{"services.web.links"}})
			if tt.refused != "" {
				if err == nil || !strings.Contains(err.Error(), tt.refused+":") {
					t.Fatalf("got %v, want %s refused", err, tt.refused)
				}
				return
			}
			if err != nil {
				t.Fatalf("export: %v", err)
			}
			if notes := strings.Join(m.Notes, "\n"); !strings.Contains(notes, tt.note) || strings.Contains(notes, "depends_on") {
				t.Errorf("notes %q: want %q and no depends_on key", notes, tt.note)
			}
		})
	}
}
