package dockertest

import (
	"archive/tar"
	"bytes"
	"io"

	"github.com/stack-dev/stack/engine"
)

// testRemoveFromContainer copies a tree into a running container, reads it back with
// its modes and owners, removes part of it, and checks that removal cannot
// leave the folder it is given (through .. or a symlink).
func testRemoveFromContainer(h *harness) {
	id := h.run(h.spec("web", "serve"))
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	entries := []*tar.Header{
		{Typeflag: tar.TypeDir, Name: "w/", Mode: 0o755},
		{Typeflag: tar.TypeReg, Name: "w/a.txt", Mode: 0o640, Uid: 1234, Gid: 2345, Size: 5},
		{Typeflag: tar.TypeDir, Name: "w/sub/", Mode: 0o755},
		{Typeflag: tar.TypeReg, Name: "w/sub/b.txt", Mode: 0o644, Size: 5},
		{Typeflag: tar.TypeDir, Name: "keep/", Mode: 0o755},
		{Typeflag: tar.TypeReg, Name: "keep/k.txt", Mode: 0o644, Size: 5},
		{Typeflag: tar.TypeSymlink, Name: "w/out", Linkname: "/keep", Mode: 0o777},
	}
	for _, hdr := range entries {
		if err := tw.WriteHeader(hdr); err != nil {
			h.Fatal(err)
		}
		if hdr.Size > 0 {
			tw.Write([]byte("hello"))
		}
	}
	if err := tw.Close(); err != nil {
		h.Fatal(err)
	}
	if err := h.d.CopyToContainer(h.ctx, id, "/", &buf, false); err != nil {
		h.Fatalf("CopyToContainer: %v", err)
	}

	hdr, content := h.readFile(id, "/w/a.txt")
	if hdr == nil {
		h.Fatal("CopyFromContainer /w/a.txt: no file")
	}
	if hdr.Name != "a.txt" || string(content) != "hello" || hdr.Mode&0o7777 != 0o640 || hdr.Uid != 1234 || hdr.Gid != 2345 {
		h.Errorf("/w/a.txt read back as %s mode %o owner %d:%d content %q, want a.txt 640 1234:2345 \"hello\"",
			hdr.Name, hdr.Mode&0o7777, hdr.Uid, hdr.Gid, content)
	}

	if err := h.d.RemoveFromContainer(h.ctx, id, "/w", []string{"sub", "missing/x"}); err != nil {
		h.Fatalf("RemoveFromContainer: %v", err)
	}
	_, _, err := h.d.CopyFromContainer(h.ctx, id, "/w/sub")
	wantErr(h, "CopyFromContainer of a removed folder", err, engine.ErrNotFound)
	if hdr, _ := h.readFile(id, "/w/a.txt"); hdr == nil {
		h.Error("RemoveFromContainer removed /w/a.txt too")
	}

	if err := h.d.RemoveFromContainer(h.ctx, id, "/w", []string{"out/k.txt", "../keep/k.txt"}); err == nil {
		h.Error("RemoveFromContainer through a symlink and .. gave no error")
	}
	if hdr, _ := h.readFile(id, "/keep/k.txt"); hdr == nil {
		h.Error("RemoveFromContainer removed /keep/k.txt, outside its folder")
	}
	// The last element, when a symlink, goes as the link.
	if err := h.d.RemoveFromContainer(h.ctx, id, "/w", []string{"out"}); err != nil {
		h.Fatalf("RemoveFromContainer of a symlink: %v", err)
	}
	if hdr, _ := h.readFile(id, "/keep/k.txt"); hdr == nil {
		h.Error("removing the symlink /w/out removed what it points to")
	}
}

// readFile returns the first entry of CopyFromContainer(p) and its content,
// or nil when p does not exist.
func (h *harness) readFile(id, p string) (*tar.Header, []byte) {
	h.Helper()
	rc, _, err := h.d.CopyFromContainer(h.ctx, id, p)
	if err != nil {
		return nil, nil
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	hdr, err := tr.Next()
	if err != nil {
		h.Fatalf("CopyFromContainer %s: %v", p, err)
	}
	b, err := io.ReadAll(tr)
	if err != nil {
		h.Fatalf("CopyFromContainer %s: %v", p, err)
	}
	return hdr, b
}
