package engine

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"

	"go.uber.org/zap"
)

// LabelInheritedVolumes lists, comma-separated, the anonymous volumes a
// container took over from the container it replaced. The daemon removes
// the anonymous volumes a container made with it, but not those it mounts
// by name, so stack removes these itself when the container goes for good.
const LabelInheritedVolumes = "dev.stack.inherited-volumes"

// inheritVolumes gives cs, the replacement of container oldID, the old
// container's anonymous volumes, as Compose does on recreate: each
// anonymous volume (of the spec's `- /path` mounts or of the image's
// VOLUME paths) is mounted by name at the same path, so the data in it
// survives a change of the service's config. A path the new spec mounts
// something named, bound or tmpfs at keeps that. `up -V` skips this.
func (e *Engine) inheritVolumes(ctx context.Context, oldID string, cs ContainerSpec) (ContainerSpec, error) {
	old, err := e.docker.ContainerInspect(ctx, oldID)
	if err != nil {
		return cs, err
	}
	var inherited []string
	var imageVolumes []string
	imageRead := false
	for _, m := range old.Mounts {
		if m.Type != "volume" || !anonymousVolume(m.Source, old.Labels) {
			continue
		}
		i := slices.IndexFunc(cs.Mounts, func(n Mount) bool { return n.Target == m.Target })
		if i >= 0 && (cs.Mounts[i].Type != "volume" || cs.Mounts[i].Source != "") {
			continue // the new spec mounts something of its own there
		}
		if i < 0 {
			if !imageRead {
				img, err := e.docker.ImageInspect(ctx, cs.Image)
				if err != nil && !errors.Is(err, ErrNotFound) {
					return cs, err
				}
				imageVolumes, imageRead = img.Volumes, true
			}
			if !slices.Contains(imageVolumes, m.Target) {
				continue // neither the spec nor the image has it any more
			}
		}
		if len(inherited) == 0 {
			cs.Mounts = slices.Clone(cs.Mounts)
		}
		mount := Mount{Type: "volume", Source: m.Source, Target: m.Target}
		if i >= 0 {
			mount = cs.Mounts[i]
			mount.Source = m.Source
			cs.Mounts[i] = mount
		} else {
			cs.Mounts = append(cs.Mounts, mount)
		}
		inherited = append(inherited, m.Source)
	}
	if len(inherited) > 0 {
		slices.Sort(inherited)
		cs.Labels = maps.Clone(cs.Labels)
		cs.Labels[LabelInheritedVolumes] = strings.Join(inherited, ",")
	}
	return cs, nil
}

// anonymousVolume tells whether volume name, mounted by a container with
// these labels, is anonymous: one the daemon named (64 hex digits) or one
// the container inherited.
func anonymousVolume(name string, labels map[string]string) bool {
	if slices.Contains(inheritedVolumes(labels), name) {
		return true
	}
	if len(name) != 64 {
		return false
	}
	for _, r := range name {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

func inheritedVolumes(labels map[string]string) []string {
	if v := labels[LabelInheritedVolumes]; v != "" {
		return strings.Split(v, ",")
	}
	return nil
}

// removeInheritedVolumes removes the anonymous volumes a removed container
// had inherited (the daemon removed those it made). One that a
// replacement container mounts is in use and stays.
func (e *Engine) removeInheritedVolumes(ctx context.Context, container string, labels map[string]string) {
	for _, name := range inheritedVolumes(labels) {
		err := e.docker.VolumeRemove(ctx, name)
		if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrConflict) {
			e.log.Warn("remove anonymous volume", zap.String("container", container), zap.String("volume", name), zap.Error(err))
		}
	}
}

// removeForGood removes a container for good, with its anonymous
// volumes, inherited ones included.
func (e *Engine) removeForGood(ctx context.Context, c Container) error {
	if err := e.docker.ContainerRemove(ctx, c.ID, true); err != nil {
		return err
	}
	e.removeInheritedVolumes(ctx, c.Name, c.Labels)
	return nil
}
