package mobydocker

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
	"go.uber.org/zap"

	"github.com/stack-dev/stack/engine"
)

// ImageInspect returns an image by reference or ID.
func (c *Client) ImageInspect(ctx context.Context, ref string) (_ engine.Image, err error) {
	defer c.trace("ImageInspect", ref)(&err)
	res, err := c.api.ImageInspect(ctx, ref)
	if err != nil {
		return engine.Image{}, apiErr("inspect image "+ref, err)
	}
	img := engine.Image{ID: res.ID, RepoTags: res.RepoTags, LastTagTime: res.Metadata.LastTagTime}
	if res.Config != nil {
		img.Labels = res.Config.Labels
		img.User = res.Config.User
		for port := range res.Config.ExposedPorts {
			img.ExposedPorts = append(img.ExposedPorts, string(port))
		}
		slices.Sort(img.ExposedPorts)
		for path := range res.Config.Volumes {
			img.Volumes = append(img.Volumes, path)
		}
		slices.Sort(img.Volumes)
	}
	return img, nil
}

// ImageTag gives the image source the extra name target.
func (c *Client) ImageTag(ctx context.Context, source, target string) (err error) {
	defer c.trace("ImageTag", source+" -> "+target)(&err)
	if _, err := c.api.ImageTag(ctx, client.ImageTagOptions{Source: source, Target: target}); err != nil {
		return apiErr(fmt.Sprintf("tag image %s as %s", source, target), err)
	}
	return nil
}

// ImageRemove removes ref: a tag is untagged, the image goes once no tag is
// left. Images still used by containers are kept (no force).
func (c *Client) ImageRemove(ctx context.Context, ref string) (err error) {
	defer c.trace("ImageRemove", ref)(&err)
	if _, err := c.api.ImageRemove(ctx, ref, client.ImageRemoveOptions{PruneChildren: true}); err != nil {
		return apiErr("remove image "+ref, err)
	}
	return nil
}

// ImagePull pulls ref with the credentials the Docker config holds for its
// registry, reporting per-layer progress to fn.
func (c *Client) ImagePull(ctx context.Context, ref string, fn func(engine.Progress)) (err error) {
	defer c.trace("ImagePull", ref)(&err)
	auth := registryAuth(ref, c.log)
	c.log.Debug("registry credentials", zap.String("ref", ref), zap.Bool("found", auth != anonymousAuth))
	resp, err := c.api.ImagePull(ctx, ref, client.ImagePullOptions{RegistryAuth: auth})
	if err != nil {
		return apiErr("pull image "+ref, err)
	}
	if err := relayStream(ctx, resp.JSONMessages(ctx), fn); err != nil {
		return apiErr("pull image "+ref, err)
	}
	return nil
}

// ImagePush pushes ref to its registry, reporting per-layer progress to fn.
func (c *Client) ImagePush(ctx context.Context, ref string, fn func(engine.Progress)) (err error) {
	defer c.trace("ImagePush", ref)(&err)
	auth := registryAuth(ref, c.log)
	c.log.Debug("registry credentials", zap.String("ref", ref), zap.Bool("found", auth != anonymousAuth))
	resp, err := c.api.ImagePush(ctx, ref, client.ImagePushOptions{RegistryAuth: auth})
	if err != nil {
		return apiErr("push image "+ref, err)
	}
	if err := relayStream(ctx, resp.JSONMessages(ctx), fn); err != nil {
		return apiErr("push image "+ref, err)
	}
	return nil
}

// relayStream turns a pull or push message stream into Progress reports and
// returns the error the stream ends with, if any.
func relayStream(ctx context.Context, msgs iter.Seq2[jsonstream.Message, error], fn func(engine.Progress)) error {
	for msg, err := range msgs {
		if err != nil {
			return err
		}
		if msg.Error != nil {
			return streamError(msg.Error)
		}
		if fn == nil || (msg.Status == "" && msg.Stream == "") {
			continue
		}
		p := engine.Progress{ID: msg.ID, Status: strings.TrimSpace(msg.Status + msg.Stream)}
		if msg.Progress != nil {
			p.Current, p.Total = msg.Progress.Current, msg.Progress.Total
		}
		fn(p)
	}
	return ctx.Err()
}

// streamError maps an error reported inside a JSON stream: a registry's "not
// found" / "manifest unknown" becomes engine.ErrNotFound.
func streamError(e *jsonstream.Error) error {
	msg := e.Message
	lower := strings.ToLower(msg)
	if e.Code == 404 || strings.Contains(lower, "not found") || strings.Contains(lower, "manifest unknown") ||
		strings.Contains(lower, "repository does not exist") {
		return fmt.Errorf("%s: %w", msg, engine.ErrNotFound)
	}
	return errors.New(msg)
}
