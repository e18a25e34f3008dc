package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/stack-dev/stack/spec"
)

// A network or volume whose configuration changed is recreated, as Compose
// (v2.30 and later) does, rather than kept as "up to date". The config is
// hashed into a label at create; a resource without that label (made by an
// older stack, or by hand) is left alone, as Compose leaves one without its
// hash.
//
//   - A changed network is removed and created anew, once the containers of
//     the services on it are stopped (pre_stop hooks run) and removed; the
//     plan recreates those containers on the new network. Compose reconnects
//     the old containers instead; a network holds no data, either way.
//   - A changed volume would lose its data: Compose asks first ("Volume %q
//     exists but doesn't match configuration in compose file. Recreate
//     (data will be lost)?", default no; `up --yes` says yes). stack cannot
//     ask, so without PlanOptions.RecreateVolumes (`up --yes`) the plan is
//     an error that says so, and nothing is touched.

// LabelResourceHash is the config hash of a network or volume stack created.
const LabelResourceHash = "dev.stack.config-hash"

// resourceHash hashes a network or volume spec whose labels are labels,
// without the labels that say where the stack file was or who owns the
// stack, as configHash.
func resourceHash(v any, labels map[string]string) string {
	saved := map[string]string{}
	for k, val := range labels {
		if unhashedLabel(k) {
			saved[k] = val
			delete(labels, k)
		}
	}
	defer func() {
		for k, val := range saved {
			labels[k] = val
		}
	}()
	b, err := json.Marshal(v)
	if err != nil {
		panic("hash resource spec: " + err.Error()) // plain data cannot fail to encode
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// networkSpecOf is the spec a network of the stack is created with.
func networkSpecOf(p *spec.Project, key string, n *spec.Network) *NetworkSpec {
	labels := projectLabels(p)
	for k, v := range n.Labels {
		labels[k] = v
	}
	labels[LabelNetwork] = key
	ns := &NetworkSpec{
		Name: n.Name, Driver: n.Driver, DriverOpts: n.DriverOpts, Labels: labels,
		Internal: n.Internal, Attachable: n.Attachable, EnableIPv6: n.EnableIPv6, EnableIPv4: n.EnableIPv4, IPAM: n.IPAM,
	}
	if ns.Driver == "" {
		ns.Driver = "bridge"
	}
	return ns
}

func volumeSpecOf(p *spec.Project, key string, v *spec.Volume) *VolumeSpec {
	labels := projectLabels(p)
	for k, val := range v.Labels {
		labels[k] = val
	}
	labels[LabelVolume] = key
	vs := &VolumeSpec{Name: v.Name, Driver: v.Driver, DriverOpts: v.DriverOpts, Labels: labels}
	if vs.Driver == "" {
		vs.Driver = "local"
	}
	return vs
}

// networkChanged labels a network to create with its config hash, and
// turns a kept network whose hash differs into ActRecreate.
func networkChanged(p *spec.Project, obs *Observed, n *spec.Network, a *ResourceAction) {
	if n.External {
		return
	}
	ns := networkSpecOf(p, a.Key, n)
	want := resourceHash(ns, ns.Labels)
	if a.Kind == ActCreate {
		a.Network.Labels[LabelResourceHash] = want
		return
	}
	have, ok := obs.Networks[n.Name]
	if !ok || have.Labels[LabelResourceHash] == "" || have.Labels[LabelResourceHash] == want {
		return
	}
	a.Kind, a.Reason, a.ID = ActRecreate, "config changed", have.ID
	a.Network = networkSpecOf(p, a.Key, n)
	a.Network.Driver = n.Driver
	a.Network.Labels[LabelResourceHash] = want
}

func volumeChanged(p *spec.Project, obs *Observed, v *spec.Volume, a *ResourceAction) {
	if v.External {
		return
	}
	vs := volumeSpecOf(p, a.Key, v)
	want := resourceHash(vs, vs.Labels)
	if a.Kind == ActCreate {
		a.Volume.Labels[LabelResourceHash] = want
		return
	}
	have, ok := obs.Volumes[v.Name]
	if !ok || have.Labels[LabelResourceHash] == "" || have.Labels[LabelResourceHash] == want {
		return
	}
	a.Kind, a.Reason = ActRecreate, "config changed"
	a.Volume = volumeSpecOf(p, a.Key, v)
	a.Volume.Driver = v.Driver
	a.Volume.Labels[LabelResourceHash] = want
}

// changedResourceUsers lists, for each recreated network or volume, the
// containers to remove first, and returns the selected services that get
// new containers for it, with the reason. A changed volume without
// opts.RecreateVolumes, and a changed resource that a service left out of
// this up has containers on, are errors.
func changedResourceUsers(p *spec.Project, obs *Observed, pl *Plan, selected []string, opts PlanOptions) (map[string]string, error) {
	in := map[string]bool{}
	for _, s := range selected {
		in[s] = true
	}
	why := map[string]string{}
	var errs []error
	mark := func(a *ResourceAction, kind string, uses func(*spec.Service) bool) {
		var outside []string
		for _, name := range p.ServiceNames() {
			s := p.Services[name]
			if !uses(s) || len(obs.ServiceContainers(name)) == 0 {
				continue
			}
			if !in[name] {
				outside = append(outside, name)
				continue
			}
			if why[name] == "" {
				why[name] = kind + " " + a.Key + " config changed"
			}
			a.Remove = append(a.Remove, obs.ServiceContainers(name)...)
		}
		if len(outside) > 0 {
			errs = append(errs, fmt.Errorf("%s %s changed and must be recreated, but services %s use it and are not in this up; bring them up too (or run up for all services)", kind, a.Name, strings.Join(outside, ", ")))
		}
	}
	for i := range pl.Networks {
		a := &pl.Networks[i]
		if a.Kind != ActRecreate {
			continue
		}
		mark(a, "network", func(s *spec.Service) bool {
			for _, k := range serviceNetworkKeys(s) {
				if k == a.Key {
					return true
				}
			}
			return false
		})
	}
	for i := range pl.Volumes {
		a := &pl.Volumes[i]
		if a.Kind != ActRecreate {
			continue
		}
		if !opts.RecreateVolumes {
			errs = append(errs, fmt.Errorf("volume %s exists but doesn't match its configuration in the stack file; recreating it loses its data\nhint: run `stack up --yes` to recreate it, or `docker volume rm %s` first, or undo the change", a.Name, a.Name))
			continue
		}
		mark(a, "volume", func(s *spec.Service) bool {
			for _, m := range s.Volumes {
				if m.Type == spec.MountVolume && m.Source == a.Key {
					return true
				}
			}
			return false
		})
	}
	return why, errors.Join(errs...)
}

// recreateResources removes the containers on changed networks and
// volumes (pre_stop hooks first), then recreates the resources.
func (e *Engine) recreateResources(ctx context.Context, plan *Plan, timeout func(ObservedContainer) error) error {
	seen := map[string]bool{}
	var remove []ObservedContainer
	for _, r := range append(append([]ResourceAction{}, plan.Networks...), plan.Volumes...) {
		for _, c := range r.Remove {
			if !seen[c.ID] {
				seen[c.ID] = true
				remove = append(remove, c)
			}
		}
	}
	sort.Slice(remove, func(i, j int) bool { return remove[i].Name < remove[j].Name })
	if err := e.inReverseOrder(ctx, remove, timeout); err != nil {
		return err
	}
	for _, r := range plan.Networks {
		if r.Kind != ActRecreate {
			continue
		}
		obj := "network " + r.Name
		e.emit(Status{Object: obj, Phase: PhaseRecreate, Detail: r.Reason})
		if err := e.docker.NetworkRemove(ctx, r.ID); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("recreate network %s: %w", r.Name, err)
		}
		if _, err := e.docker.NetworkCreate(ctx, *r.Network); err != nil {
			return fmt.Errorf("recreate network %s: %w", r.Name, err)
		}
		e.emit(Status{Object: obj, Phase: PhaseCreated, Detail: "recreated", Done: true})
	}
	for _, r := range plan.Volumes {
		if r.Kind != ActRecreate {
			continue
		}
		obj := "volume " + r.Name
		e.emit(Status{Object: obj, Phase: PhaseRecreate, Detail: r.Reason + " (data removed)"})
		if err := e.docker.VolumeRemove(ctx, r.Name); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("recreate volume %s: %w", r.Name, err)
		}
		if err := e.docker.VolumeCreate(ctx, *r.Volume); err != nil {
			return fmt.Errorf("recreate volume %s: %w", r.Name, err)
		}
		e.emit(Status{Object: obj, Phase: PhaseCreated, Detail: "recreated", Done: true})
	}
	return nil
}

// keepChangedResources keeps changed networks and volumes as they are.
func keepChangedResources(pl *Plan) {
	for _, rs := range [][]ResourceAction{pl.Networks, pl.Volumes} {
		for i := range rs {
			if rs[i].Kind == ActRecreate {
				rs[i].Kind = ActKeep
			}
		}
	}
}
