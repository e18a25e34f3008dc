package reaper

import (
	"context"
	"errors"
	"testing"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
)

// A new binary moves the one reaper tag and removes the image it moved it
// from; the same binary reuses its image; an image a container still uses
// stays.
func TestEnsureImageKeepsOne(t *testing.T) {
	ctx := context.Background()
	d := dockerfake.New()
	first, err := ensureImage(ctx, d, "hash-a", []byte("binary a"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := ensureImage(ctx, d, "hash-a", []byte("binary a"))
	if err != nil || again != first {
		t.Fatalf("same binary: got %q, %v; want the image %q again", again, err, first)
	}
	second, err := ensureImage(ctx, d, "hash-b", []byte("binary b"))
	if err != nil {
		t.Fatal(err)
	}
	if second == first {
		t.Fatal("a new binary got the old image")
	}
	if _, err := d.ImageInspect(ctx, first); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("the replaced image is still there (%v)", err)
	}
	if img, err := d.ImageInspect(ctx, reaperImage); err != nil || img.ID != second {
		t.Fatalf("%s is %q (%v), want %q", reaperImage, img.ID, err, second)
	}

	if _, err := d.ContainerCreate(ctx, engine.ContainerSpec{Name: "reaper-b", Image: second}); err != nil {
		t.Fatal(err)
	}
	third, err := ensureImage(ctx, d, "hash-c", []byte("binary c"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.ImageInspect(ctx, second); err != nil {
		t.Fatalf("the image of a reaper container was removed: %v", err)
	}
	if third == second {
		t.Fatal("a new binary got the old image")
	}
}
