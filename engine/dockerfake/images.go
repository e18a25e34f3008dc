package dockerfake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/stack-dev/stack/engine"
)

// AddImage registers img locally under its RepoTags (and its ID), as if
// pulled or built before the test.
func (f *Fake) AddImage(img engine.Image) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.addImage(img)
}

// ImageInspect returns a local image by reference or ID.
func (f *Fake) ImageInspect(ctx context.Context, ref string) (engine.Image, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ImageInspect")
	img, ok := f.image(ref)
	if !ok {
		return engine.Image{}, fmt.Errorf("inspect image %s: no such image: %w", ref, engine.ErrNotFound)
	}
	return copyImage(img), nil
}

// ImagePull copies ref from Registry into the local images.
func (f *Fake) ImagePull(ctx context.Context, ref string, fn func(engine.Progress)) error {
	f.mu.Lock()
	f.call("ImagePull")
	img, ok := f.Registry[ref]
	if !ok {
		img, ok = f.Registry[normalise(ref)]
	}
	if !ok {
		f.mu.Unlock()
		return fmt.Errorf("pull image %s: manifest unknown: %w", ref, engine.ErrNotFound)
	}
	img = copyImage(img)
	img.RepoTags = appendNew(img.RepoTags, normalise(ref))
	img.LastTagTime = f.now()
	f.addImage(img)
	f.mu.Unlock()
	report(fn, engine.Progress{ID: shortID(img.ID), Status: "Pull complete"})
	report(fn, engine.Progress{Status: "Status: Downloaded newer image for " + ref})
	return nil
}

// ImageBuild reads the whole build context and registers an image whose ID
// is the sha256 of the context and the spec, so an unchanged build yields
// the same ID.
func (f *Fake) ImageBuild(ctx context.Context, buildContext io.Reader, spec engine.BuildSpec, fn func(engine.Progress)) (string, error) {
	f.mu.Lock()
	f.call("ImageBuild")
	f.mu.Unlock()
	h := sha256.New()
	if _, err := io.Copy(h, buildContext); err != nil {
		return "", fmt.Errorf("build image: read context: %w", err)
	}
	specJSON, err := json.Marshal(spec)
	if err != nil {
		return "", fmt.Errorf("build image: %w", err)
	}
	h.Write(specJSON)
	img := engine.Image{ID: "sha256:" + hex.EncodeToString(h.Sum(nil)), Labels: maps.Clone(spec.Labels), LastTagTime: f.now()}
	for _, t := range spec.Tags {
		img.RepoTags = appendNew(img.RepoTags, normalise(t))
	}
	f.mu.Lock()
	f.addImage(img)
	f.mu.Unlock()
	report(fn, engine.Progress{Status: "Successfully built " + shortID(img.ID)})
	return img.ID, nil
}

// ImagePush copies a local image to Registry under ref.
func (f *Fake) ImagePush(ctx context.Context, ref string, fn func(engine.Progress)) error {
	f.mu.Lock()
	f.call("ImagePush")
	img, ok := f.image(ref)
	if !ok {
		f.mu.Unlock()
		return fmt.Errorf("push image %s: no such image: %w", ref, engine.ErrNotFound)
	}
	f.Registry[ref] = copyImage(img)
	f.mu.Unlock()
	report(fn, engine.Progress{ID: shortID(img.ID), Status: "Pushed"})
	return nil
}

// ImageTag gives a local image the extra name target.
func (f *Fake) ImageTag(ctx context.Context, source, target string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ImageTag")
	img, ok := f.image(source)
	if !ok {
		return fmt.Errorf("tag image %s: no such image: %w", source, engine.ErrNotFound)
	}
	// An image tagged elsewhere loses the tag there, as with the daemon.
	f.untag(normalise(target))
	img.RepoTags = appendNew(img.RepoTags, normalise(target))
	img.LastTagTime = f.now()
	f.addImage(img)
	return nil
}

// ImageRemove removes a tag, or by ID the image with all its tags. An image
// a container was created from cannot go (ErrConflict).
func (f *Fake) ImageRemove(ctx context.Context, ref string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ImageRemove")
	img, ok := f.image(ref)
	if !ok {
		return fmt.Errorf("remove image %s: no such image: %w", ref, engine.ErrNotFound)
	}
	byID := ref == img.ID
	if byID || len(img.RepoTags) <= 1 {
		for _, c := range f.containers {
			if c.ImageID == img.ID {
				return fmt.Errorf("remove image %s: image is being used by container %s: %w", ref, c.ID[:12], engine.ErrConflict)
			}
		}
	}
	if byID {
		for _, t := range img.RepoTags {
			delete(f.images, t)
		}
		delete(f.images, img.ID)
		return nil
	}
	f.untag(normalise(ref))
	return nil
}

// addImage stores img under its ID and tags, replacing the stored copies;
// the caller holds f.mu.
func (f *Fake) addImage(img engine.Image) {
	if old, ok := f.images[img.ID]; ok {
		for _, t := range old.RepoTags {
			img.RepoTags = appendNew(img.RepoTags, t)
		}
	}
	for _, t := range img.RepoTags {
		if prev, ok := f.images[t]; ok && prev.ID != img.ID {
			f.untag(t)
		}
	}
	f.images[img.ID] = img
	for _, t := range img.RepoTags {
		f.images[t] = img
	}
}

// untag removes tag from whichever image has it; an image left without
// tags and not otherwise referenced is dropped. The caller holds f.mu.
func (f *Fake) untag(tag string) {
	img, ok := f.images[tag]
	if !ok {
		return
	}
	delete(f.images, tag)
	img.RepoTags = slices.DeleteFunc(slices.Clone(img.RepoTags), func(t string) bool { return t == tag })
	if len(img.RepoTags) == 0 && !f.imageInUse(img.ID) {
		delete(f.images, img.ID)
		return
	}
	f.images[img.ID] = img
	for _, t := range img.RepoTags {
		f.images[t] = img
	}
}

// imageInUse tells whether a container was created from image id, which
// keeps the image (dangling, once untagged) as the daemon does. The caller
// holds f.mu.
func (f *Fake) imageInUse(id string) bool {
	for _, c := range f.containers {
		if c.ImageID == id {
			return true
		}
	}
	return false
}

// image finds a local image by reference or ID; the caller holds f.mu.
func (f *Fake) image(ref string) (engine.Image, bool) {
	if img, ok := f.images[ref]; ok {
		return img, true
	}
	if img, ok := f.images[normalise(ref)]; ok {
		return img, true
	}
	img, ok := f.images["sha256:"+ref]
	return img, ok
}

// normalise adds the ":latest" the daemon assumes for a reference without
// tag or digest ("localhost:5000/app" -> "localhost:5000/app:latest").
func normalise(ref string) string {
	if strings.HasPrefix(ref, "sha256:") || strings.Contains(ref, "@") {
		return ref
	}
	last := ref[strings.LastIndex(ref, "/")+1:]
	if strings.Contains(last, ":") {
		return ref
	}
	return ref + ":latest"
}

func copyImage(img engine.Image) engine.Image {
	img.RepoTags = slices.Clone(img.RepoTags)
	img.Labels = maps.Clone(img.Labels)
	img.ExposedPorts = slices.Clone(img.ExposedPorts)
	return img
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func report(fn func(engine.Progress), p engine.Progress) {
	if fn != nil {
		fn(p)
	}
}
