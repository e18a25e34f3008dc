package oci

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// HTTP is a Registry over the distribution (Docker registry v2) HTTP API,
// without authentication: registries on loopback or a trusted network.
type HTTP struct {
	// Base is the registry's URL, e.g. http://127.0.0.1:5000.
	Base   string
	Client *http.Client
}

var _ Registry = (*HTTP)(nil)

// NewHTTP returns a Registry for host: plain HTTP for loopback hosts or
// with insecure, else HTTPS.
func NewHTTP(host string, insecure bool) *HTTP {
	scheme := "https"
	h := strings.Split(host, ":")[0]
	if insecure || h == "localhost" || strings.HasPrefix(h, "127.") || h == "[::1]" {
		scheme = "http"
	}
	return &HTTP{Base: scheme + "://" + host, Client: http.DefaultClient}
}

func (r *HTTP) do(ctx context.Context, method, u string, body []byte, header map[string]string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return r.Client.Do(req)
}

// statusErr maps a registry's answer to an error: 404 is ErrNotFound; a
// refused manifest (400 MANIFEST_INVALID and kin) is ErrUnsupported.
func statusErr(what string, resp *http.Response, manifest bool) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	msg := strings.TrimSpace(string(body))
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	case manifest && resp.StatusCode >= 400 && resp.StatusCode < 500 &&
		resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden:
		return fmt.Errorf("%s: %s: %w", what, msg, ErrUnsupported)
	}
	return fmt.Errorf("%s: registry answered %s: %s", what, resp.Status, msg)
}

// PushBlob uploads a blob in one request, unless the registry has it.
func (r *HTTP) PushBlob(ctx context.Context, repo string, dgst digest.Digest, data []byte) error {
	what := "push blob " + dgst.String()
	resp, err := r.do(ctx, http.MethodHead, r.Base+"/v2/"+repo+"/blobs/"+dgst.String(), nil, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	resp, err = r.do(ctx, http.MethodPost, r.Base+"/v2/"+repo+"/blobs/uploads/", nil, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return statusErr(what, resp, false)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return fmt.Errorf("%s: upload location: %w", what, err)
	}
	base, _ := url.Parse(r.Base)
	loc = base.ResolveReference(loc)
	q := loc.Query()
	q.Set("digest", dgst.String())
	loc.RawQuery = q.Encode()
	put, err := r.do(ctx, http.MethodPut, loc.String(), data, map[string]string{"Content-Type": "application/octet-stream"})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer put.Body.Close()
	if put.StatusCode != http.StatusCreated {
		return statusErr(what, put, false)
	}
	return nil
}

// Blob downloads a blob.
func (r *HTTP) Blob(ctx context.Context, repo string, dgst digest.Digest) ([]byte, error) {
	resp, err := r.do(ctx, http.MethodGet, r.Base+"/v2/"+repo+"/blobs/"+dgst.String(), nil, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, statusErr("blob "+dgst.String(), resp, false)
	}
	return io.ReadAll(resp.Body)
}

// PushManifest uploads a manifest under a tag or digest.
func (r *HTTP) PushManifest(ctx context.Context, repo, reference, mediaType string, data []byte) error {
	resp, err := r.do(ctx, http.MethodPut, r.Base+"/v2/"+repo+"/manifests/"+reference, data, map[string]string{"Content-Type": mediaType})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return statusErr("push manifest "+repo+":"+reference, resp, true)
	}
	return nil
}

// Manifest downloads a manifest by tag or digest.
func (r *HTTP) Manifest(ctx context.Context, repo, reference string) (string, []byte, error) {
	resp, err := r.do(ctx, http.MethodGet, r.Base+"/v2/"+repo+"/manifests/"+reference, nil,
		map[string]string{"Accept": v1.MediaTypeImageManifest})
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", nil, statusErr("manifest "+repo+":"+reference, resp, false)
	}
	b, err := io.ReadAll(resp.Body)
	return resp.Header.Get("Content-Type"), b, err
}
