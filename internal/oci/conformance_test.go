package oci

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/stack-dev/stack/internal/testenv"
)

// TestConformance runs one contract against the fake and, through the
// distribution API, Debian's docker-registry on loopback.
func TestConformance(t *testing.T) {
	t.Run("Fake", func(t *testing.T) {
		runConformance(t, NewFake())
	})
	t.Run("HTTP", func(t *testing.T) {
		runConformance(t, NewHTTP(testenv.StartRegistry(t), false))
	})
}

func runConformance(t *testing.T, reg Registry) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	repo := "stack-test/app"

	data := []byte("services:\n  web:\n    image: x:1\n")
	dgst := digest.FromBytes(data)
	if _, err := reg.Blob(ctx, repo, dgst); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing blob: %v, want ErrNotFound", err)
	}
	for range 2 { // a second push of the same blob is fine
		if err := reg.PushBlob(ctx, repo, dgst, data); err != nil {
			t.Fatalf("PushBlob: %v", err)
		}
	}
	if got, err := reg.Blob(ctx, repo, dgst); err != nil || string(got) != string(data) {
		t.Errorf("Blob: %q, %v", got, err)
	}

	// Publish and fetch back, by tag and by digest.
	files := []File{{Name: "compose.yaml", Content: data}, {Name: "compose.override.yaml", Content: []byte("services: {}\n")}}
	m, err := Publish(ctx, reg, repo, "1", files, "")
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	for _, ref := range []string{"1", m.String()} {
		got, err := Fetch(ctx, reg, repo, ref)
		if err != nil || len(got) != 2 || got[0].Name != "compose.yaml" || string(got[1].Content) != "services: {}\n" {
			t.Errorf("Fetch %s: %+v, %v", ref, got, err)
		}
	}
	mediaType, raw, err := reg.Manifest(ctx, repo, "1")
	if err != nil {
		t.Fatal(err)
	}
	var man v1.Manifest
	if err := json.Unmarshal(raw, &man); err != nil {
		t.Fatal(err)
	}
	if mediaType != v1.MediaTypeImageManifest || man.ArtifactType != ArtifactType || man.Config.MediaType != v1.MediaTypeEmptyJSON ||
		len(man.Layers) != 2 || man.Layers[0].MediaType != ComposeYAMLMediaType || man.Layers[0].Annotations["com.docker.compose.file"] != "compose.yaml" {
		t.Errorf("manifest %s: %s", mediaType, raw)
	}
	if _, _, err := reg.Manifest(ctx, repo, "nosuch"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing manifest: %v, want ErrNotFound", err)
	}

	// OCI 1.0 form on request: no artifact type, Compose's config type.
	if _, err := Publish(ctx, reg, repo, "old", files, "1.0"); err != nil {
		t.Fatalf("Publish 1.0: %v", err)
	}
	_, raw, _ = reg.Manifest(ctx, repo, "old")
	man = v1.Manifest{}
	json.Unmarshal(raw, &man)
	if man.ArtifactType != "" || man.Config.MediaType != EmptyConfigMediaType {
		t.Errorf("1.0 manifest: %s", raw)
	}
	if got, err := Fetch(ctx, reg, repo, "old"); err != nil || len(got) != 2 {
		t.Errorf("Fetch of the 1.0 form: %+v, %v", got, err)
	}
}

// A registry that refuses OCI 1.1 artifacts gets the 1.0 form.
func TestPublishFallsBackToOCI10(t *testing.T) {
	reg := NewFake()
	reg.OCI10Only = true
	if _, err := Publish(context.Background(), reg, "app", "1", []File{{Name: "compose.yaml", Content: []byte("services: {}\n")}}, ""); err != nil {
		t.Fatal(err)
	}
	_, raw, err := reg.Manifest(context.Background(), "app", "1")
	if err != nil {
		t.Fatal(err)
	}
	var man v1.Manifest
	json.Unmarshal(raw, &man)
	if man.ArtifactType != "" || man.Config.MediaType != EmptyConfigMediaType {
		t.Errorf("manifest after fallback: %s", raw)
	}
}

func TestParseRef(t *testing.T) {
	tests := []struct{ in, host, repo, tag string }{
		{"127.0.0.1:5000/team/app:1", "127.0.0.1:5000", "team/app", "1"},
		{"oci://localhost/app", "localhost", "app", "latest"},
		{"registry.example.com/a/b/c:v2", "registry.example.com", "a/b/c", "v2"},
	}
	for _, tt := range tests {
		host, repo, tag, err := ParseRef(tt.in)
		if err != nil || host != tt.host || repo != tt.repo || tag != tt.tag {
			t.Errorf("ParseRef(%q) = %q %q %q %v", tt.in, host, repo, tag, err)
		}
	}
	for _, bad := range []string{"app", "app:1", "team/app", "127.0.0.1:5000/", "127.0.0.1:5000/App:1"} {
		if _, _, _, err := ParseRef(bad); err == nil {
			t.Errorf("ParseRef(%q): no error", bad)
		}
	}
}

// The manifest is the one `docker compose publish` (Compose v5) pushed for
// the same file (testdata/compose-publish-manifest.json), but for the
// creation time and the Compose version annotation.
func TestManifestMatchesCompose(t *testing.T) {
	raw, err := os.ReadFile("testdata/compose-publish-manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var theirs v1.Manifest
	if err := json.Unmarshal(raw, &theirs); err != nil {
		t.Fatal(err)
	}
	var files []File
	for _, l := range theirs.Layers {
		files = append(files, File{Name: l.Annotations["com.docker.compose.file"], Content: l.Data})
	}
	reg := NewFake()
	if _, err := Publish(context.Background(), reg, "app", "1", files, ""); err != nil {
		t.Fatal(err)
	}
	_, ourRaw, err := reg.Manifest(context.Background(), "app", "1")
	if err != nil {
		t.Fatal(err)
	}
	var ours v1.Manifest
	if err := json.Unmarshal(ourRaw, &ours); err != nil {
		t.Fatal(err)
	}
	normalize := func(m *v1.Manifest) []byte {
		delete(m.Annotations, "org.opencontainers.image.created")
		for i := range m.Layers {
			delete(m.Layers[i].Annotations, "com.docker.compose.version")
		}
		b, _ := json.Marshal(m)
		return b
	}
	if a, b := normalize(&theirs), normalize(&ours); string(a) != string(b) {
		t.Errorf("manifest differs from Compose's:\nours   %s\ntheirs %s", b, a)
	}
}
