// Package oci publishes a stack as an OCI artifact, as `docker compose
// publish` does: its compose files become layers of an image manifest of
// artifact type application/vnd.docker.compose.project, pushed to a
// registry, so `docker compose -f oci://REF` (and stack) can run it. The
// registry is reached through the narrow [Registry] interface: [HTTP]
// speaks the distribution API, [Fake] keeps everything in memory; both
// pass one conformance suite (conformance_test.go).
package oci

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// The media and artifact types Compose publishes with.
const (
	ArtifactType          = "application/vnd.docker.compose.project"
	ComposeYAMLMediaType  = "application/vnd.docker.compose.file+yaml"
	EmptyConfigMediaType  = "application/vnd.docker.compose.config.empty.v1+json"
	EnvFileMediaType      = "application/vnd.docker.compose.envfile"
	composeVersionLabel   = "com.docker.compose.version"
	composeFileAnnotation = "com.docker.compose.file"
	// ComposeVersion is the Compose version stack's artifacts claim: the
	// file format they carry is what that version reads.
	ComposeVersion = "5.0.0"
)

// Errors every Registry maps its own to.
var (
	ErrNotFound = errors.New("not found")
	// ErrUnsupported is a manifest the registry refuses as such (an OCI
	// 1.1 artifact on an OCI 1.0 registry): Publish retries in 1.0 form.
	ErrUnsupported = errors.New("unsupported by the registry")
)

// Registry is the part of a registry's API publishing needs. repo is a
// repository name without the registry host ("team/app").
type Registry interface {
	PushBlob(ctx context.Context, repo string, dgst digest.Digest, data []byte) error
	Blob(ctx context.Context, repo string, dgst digest.Digest) ([]byte, error)
	// PushManifest stores a manifest under reference (a tag or digest).
	PushManifest(ctx context.Context, repo, reference, mediaType string, data []byte) error
	// Manifest returns a manifest by tag or digest, and its media type.
	Manifest(ctx context.Context, repo, reference string) (mediaType string, data []byte, err error)
}

// File is one compose file to publish.
type File struct {
	Name    string // base name, e.g. compose.yaml
	Content []byte
}

// Version is the OCI manifest form: "1.1" (artifactType, empty config),
// "1.0" (config media type only), or "" for 1.1 falling back to 1.0.
type Version string

// Publish pushes files as a Compose project artifact to repo:tag and
// returns the manifest's digest.
func Publish(ctx context.Context, reg Registry, repo, tag string, files []File, version Version) (digest.Digest, error) {
	if len(files) == 0 {
		return "", errors.New("nothing to publish")
	}
	var layers []v1.Descriptor
	for _, f := range files {
		d := v1.Descriptor{
			MediaType: ComposeYAMLMediaType,
			Digest:    digest.FromBytes(f.Content),
			Size:      int64(len(f.Content)),
			Annotations: map[string]string{
				composeVersionLabel:   ComposeVersion,
				composeFileAnnotation: filepath.Base(f.Name),
			},
			Data: f.Content,
		}
		if err := reg.PushBlob(ctx, repo, d.Digest, f.Content); err != nil {
			return "", fmt.Errorf("push %s: %w", f.Name, err)
		}
		layers = append(layers, d)
	}
	switch version {
	case "1.0", "1.1":
		return pushManifest(ctx, reg, repo, tag, layers, version)
	case "":
		dgst, err := pushManifest(ctx, reg, repo, tag, layers, "1.1")
		if errors.Is(err, ErrUnsupported) {
			return pushManifest(ctx, reg, repo, tag, layers, "1.0")
		}
		return dgst, err
	}
	return "", fmt.Errorf("--oci-version %q: want 1.0 or 1.1", version)
}

func pushManifest(ctx context.Context, reg Registry, repo, tag string, layers []v1.Descriptor, version Version) (digest.Digest, error) {
	config := v1.DescriptorEmptyJSON
	artifactType := ArtifactType
	if version == "1.0" {
		data := []byte("{}")
		config = v1.Descriptor{MediaType: EmptyConfigMediaType, Digest: digest.FromBytes(data), Size: int64(len(data)), Data: data}
		artifactType = ""
	}
	if err := reg.PushBlob(ctx, repo, config.Digest, config.Data); err != nil {
		return "", fmt.Errorf("push config: %w", err)
	}
	m, err := json.Marshal(v1.Manifest{
		Versioned:    specs.Versioned{SchemaVersion: 2},
		MediaType:    v1.MediaTypeImageManifest,
		ArtifactType: artifactType,
		Config:       config,
		Layers:       layers,
		Annotations:  map[string]string{"org.opencontainers.image.created": time.Now().UTC().Format(time.RFC3339)},
	})
	if err != nil {
		return "", err
	}
	if err := reg.PushManifest(ctx, repo, tag, v1.MediaTypeImageManifest, m); err != nil {
		return "", fmt.Errorf("push manifest: %w", err)
	}
	return digest.FromBytes(m), nil
}

// Fetch returns the compose files of the project artifact at repo:ref.
func Fetch(ctx context.Context, reg Registry, repo, ref string) ([]File, error) {
	_, data, err := reg.Manifest(ctx, repo, ref)
	if err != nil {
		return nil, err
	}
	var m v1.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest of %s:%s: %w", repo, ref, err)
	}
	if m.ArtifactType != ArtifactType && m.Config.MediaType != EmptyConfigMediaType {
		return nil, fmt.Errorf("%s:%s is not a Compose project (artifact type %q)", repo, ref, m.ArtifactType)
	}
	var files []File
	for _, l := range m.Layers {
		if l.MediaType != ComposeYAMLMediaType {
			continue
		}
		b, err := reg.Blob(ctx, repo, l.Digest)
		if err != nil {
			return nil, err
		}
		if digest.FromBytes(b) != l.Digest {
			return nil, fmt.Errorf("layer %s: content does not match its digest", l.Digest)
		}
		files = append(files, File{Name: l.Annotations[composeFileAnnotation], Content: b})
	}
	return files, nil
}

// ParseRef splits "host[:port]/repo[:tag]" into the registry host, the
// repository and the tag ("latest" when none).
func ParseRef(ref string) (host, repo, tag string, err error) {
	ref = strings.TrimPrefix(ref, "oci://")
	host, rest, ok := strings.Cut(ref, "/")
	if !ok || rest == "" || !(strings.ContainsAny(host, ".:") || host == "localhost") {
		return "", "", "", fmt.Errorf("%q: want REGISTRY/REPOSITORY[:TAG] (e.g. 127.0.0.1:5000/team/app:1)", ref)
	}
	repo, tag = rest, "latest"
	if i := strings.LastIndex(rest, ":"); i > strings.LastIndex(rest, "/") {
		repo, tag = rest[:i], rest[i+1:]
	}
	if repo == "" || tag == "" || repo != strings.ToLower(repo) {
		return "", "", "", fmt.Errorf("%q: want a lowercase repository and a tag", ref)
	}
	return host, repo, tag, nil
}
