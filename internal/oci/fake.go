package oci

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/opencontainers/go-digest"
)

// Fake is an in-memory Registry. With OCI10Only it refuses manifests with
// an artifactType, as registries that predate OCI 1.1 do.
type Fake struct {
	OCI10Only bool

	mu        sync.Mutex
	blobs     map[string][]byte // repo@digest
	manifests map[string]fakeManifest
}

type fakeManifest struct {
	mediaType string
	data      []byte
}

var _ Registry = (*Fake)(nil)

// NewFake returns an empty fake registry.
func NewFake() *Fake {
	return &Fake{blobs: map[string][]byte{}, manifests: map[string]fakeManifest{}}
}

func (f *Fake) PushBlob(ctx context.Context, repo string, dgst digest.Digest, data []byte) error {
	if digest.FromBytes(data) != dgst {
		return fmt.Errorf("push blob %s: content does not match the digest", dgst)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.blobs[repo+"@"+dgst.String()] = append([]byte(nil), data...)
	return nil
}

func (f *Fake) Blob(ctx context.Context, repo string, dgst digest.Digest) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.blobs[repo+"@"+dgst.String()]
	if !ok {
		return nil, fmt.Errorf("blob %s: %w", dgst, ErrNotFound)
	}
	return append([]byte(nil), b...), nil
}

// PushManifest stores a manifest under reference and its digest; its
// blobs must be there, as a registry checks.
func (f *Fake) PushManifest(ctx context.Context, repo, reference, mediaType string, data []byte) error {
	var m struct {
		ArtifactType string `json:"artifactType"`
		Config       struct {
			Digest digest.Digest `json:"digest"`
		} `json:"config"`
		Layers []struct {
			Digest digest.Digest `json:"digest"`
		} `json:"layers"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("push manifest: %v: %w", err, ErrUnsupported)
	}
	if f.OCI10Only && m.ArtifactType != "" {
		return fmt.Errorf("push manifest: artifactType: %w", ErrUnsupported)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range append([]digest.Digest{m.Config.Digest}, func() []digest.Digest {
		var ds []digest.Digest
		for _, l := range m.Layers {
			ds = append(ds, l.Digest)
		}
		return ds
	}()...) {
		if _, ok := f.blobs[repo+"@"+d.String()]; !ok {
			return fmt.Errorf("push manifest: blob %s unknown: %w", d, ErrUnsupported)
		}
	}
	fm := fakeManifest{mediaType: mediaType, data: append([]byte(nil), data...)}
	f.manifests[repo+":"+reference] = fm
	f.manifests[repo+":"+digest.FromBytes(data).String()] = fm
	return nil
}

func (f *Fake) Manifest(ctx context.Context, repo, reference string) (string, []byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.manifests[repo+":"+reference]
	if !ok {
		return "", nil, fmt.Errorf("manifest %s:%s: %w", repo, reference, ErrNotFound)
	}
	return m.mediaType, append([]byte(nil), m.data...), nil
}
