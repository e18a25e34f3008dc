package testenv

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// PushRandomImage puts an image straight into the registry at addr, made
// through the registry API so the local engine has none of its layers: one
// layer holding size random bytes in /random. Pulling it then really
// downloads, with progress. It returns "addr/repo:tag".
func PushRandomImage(t testing.TB, addr, repo, tag string, size int) string {
	t.Helper()
	layer, diffID := randomLayer(t, size)
	config, err := json.Marshal(map[string]any{
		"architecture": "amd64",
		"os":           "linux",
		"config":       map[string]any{"Labels": map[string]string{"dev.stack.test": "1"}},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{diffID}},
	})
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + addr + "/v2/" + repo
	layerDigest := uploadBlob(t, base, layer)
	configDigest := uploadBlob(t, base, config)
	manifest, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.docker.distribution.manifest.v2+json",
		"config": map[string]any{"mediaType": "application/vnd.docker.container.image.v1+json",
			"size": len(config), "digest": configDigest},
		"layers": []map[string]any{{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
			"size": len(layer), "digest": layerDigest}},
	})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, base+"/manifests/"+tag, bytes.NewReader(manifest))
	req.Header.Set("Content-Type", "application/vnd.docker.distribution.manifest.v2+json")
	mustStatus(t, req, http.StatusCreated)
	return addr + "/" + repo + ":" + tag
}

// randomLayer returns a gzipped layer tar and the digest of its plain tar.
func randomLayer(t testing.TB, size int) ([]byte, string) {
	t.Helper()
	data := make([]byte, size)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	tw := tar.NewWriter(&plain)
	if err := tw.WriteHeader(&tar.Header{Name: "random", Mode: 0o644, Size: int64(size)}); err != nil {
		t.Fatal(err)
	}
	tw.Write(data)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return gz.Bytes(), digestOf(plain.Bytes())
}

// uploadBlob pushes blob with a monolithic upload and returns its digest.
func uploadBlob(t testing.TB, base string, blob []byte) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/blobs/uploads/", nil)
	resp := mustStatus(t, req, http.StatusAccepted)
	location := resp.Header.Get("Location")
	if location == "" {
		t.Fatal("registry upload: no Location")
	}
	if location[0] == '/' {
		location = "http://" + req.URL.Host + location
	}
	digest := digestOf(blob)
	sep := "?"
	if bytes.ContainsRune([]byte(location), '?') {
		sep = "&"
	}
	req, _ = http.NewRequest(http.MethodPut, location+sep+"digest="+digest, bytes.NewReader(blob))
	req.Header.Set("Content-Type", "application/octet-stream")
	mustStatus(t, req, http.StatusCreated)
	return digest
}

func mustStatus(t testing.TB, req *http.Request, want int) *http.Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("registry %s %s: %v", req.Method, req.URL, err)
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("registry %s %s: %s, want %d", req.Method, req.URL, resp.Status, want)
	}
	return resp
}

func digestOf(b []byte) string {
	return fmt.Sprintf("sha256:%x", sha256.Sum256(b))
}
