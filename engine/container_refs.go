package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/stack-dev/stack/spec"
)

// LabelJoins records the IDs of the containers whose namespaces or volumes
// a container shares (network_mode, ipc, pid, volumes_from "service:"), so
// a later plan sees when one of them was replaced.
const LabelJoins = "dev.stack.joins"

// Where Docker keeps its API socket, and where use_api_socket puts the
// user's registry credentials, as Docker Compose does.
const (
	apiSocketPath    = "/var/run/docker.sock"
	apiSocketConfig  = "/run/secrets/docker"
	dockerConfigName = "DOCKER_CONFIG"
)

// setRuntime copies the namespace, device and tuning settings of s into
// cs. References to other services stay as written ("service:NAME"): they
// are resolved to container IDs only when the container is created, so the
// config hash does not change with the IDs.
func setRuntime(cs *ContainerSpec, s *spec.Service) {
	cs.RuntimeOptions = s.RuntimeOptions
	cs.NetworkMode = s.NetworkMode
	cs.IpcMode = s.Ipc
	cs.PidMode = s.Pid
	for _, v := range s.VolumesFrom {
		ref := spec.ServicePrefix + v.Service
		if v.Container != "" {
			ref = spec.ContainerPrefix + v.Container
		}
		if v.ReadOnly {
			ref += ":ro"
		}
		cs.VolumesFrom = append(cs.VolumesFrom, ref)
	}
	cs.Links = s.Links
	cs.ExternalLinks = s.ExternalLinks
	if s.UseAPISocket {
		cs.APISocket = true
		cs.Mounts = append(cs.Mounts, Mount{Type: spec.MountBind, Source: apiSocketPath, Target: apiSocketPath})
		if _, ok := s.Environment[dockerConfigName]; !ok {
			cs.Env = append(cs.Env, dockerConfigName+"="+apiSocketConfig)
			slices.Sort(cs.Env)
		}
	}
}

// resolveReferences returns cs with its references to other services
// turned into what Docker takes: the ID of the service's replica 1 for
// namespaces and volumes, container names for links. It copies what it
// changes; cs is shared with the plan.
func (e *Engine) resolveReferences(ctx context.Context, p *spec.Project, cs ContainerSpec) (ContainerSpec, error) {
	if !strings.HasPrefix(cs.NetworkMode, spec.ServicePrefix) && !strings.HasPrefix(cs.IpcMode, spec.ServicePrefix) &&
		!strings.HasPrefix(cs.PidMode, spec.ServicePrefix) && len(cs.VolumesFrom) == 0 &&
		len(cs.Links) == 0 && len(cs.ExternalLinks) == 0 {
		return cs, nil
	}
	var joined []string
	firstReplica := func(what, mode string) (string, error) {
		name, ok := strings.CutPrefix(mode, spec.ServicePrefix)
		if !ok {
			return mode, nil
		}
		target := p.Services[name]
		if target == nil {
			return "", fmt.Errorf("%s: service %s is not in the stack", what, name)
		}
		st, err := e.docker.ContainerInspect(ctx, ContainerName(p, target, 1))
		if err != nil {
			return "", fmt.Errorf("cannot share the %s of service %s: %w", what, name, err)
		}
		joined = append(joined, st.ID)
		return spec.ContainerPrefix + st.ID, nil
	}
	var err error
	if cs.NetworkMode, err = firstReplica("network", cs.NetworkMode); err != nil {
		return cs, err
	}
	if cs.IpcMode, err = firstReplica("IPC namespace", cs.IpcMode); err != nil {
		return cs, err
	}
	if cs.PidMode, err = firstReplica("PID namespace", cs.PidMode); err != nil {
		return cs, err
	}
	// Docker takes "ID:mode"; the mode defaults to rw, which Compose
	// writes out.
	var from []string
	for _, v := range cs.VolumesFrom {
		ref, mode, _ := strings.Cut(strings.TrimPrefix(v, spec.ContainerPrefix), ":")
		if strings.HasPrefix(v, spec.ServicePrefix) {
			ref, mode, _ = strings.Cut(strings.TrimPrefix(v, spec.ServicePrefix), ":")
			resolved, err := firstReplica("volumes", spec.ServicePrefix+ref)
			if err != nil {
				return cs, err
			}
			ref = strings.TrimPrefix(resolved, spec.ContainerPrefix)
		} else {
			st, err := e.docker.ContainerInspect(ctx, ref)
			if err != nil {
				return cs, fmt.Errorf("cannot share the volumes of container %s: %w", ref, err)
			}
			ref = st.ID
		}
		if mode == "" {
			mode = "rw"
		}
		from = append(from, ref+":"+mode)
	}
	cs.VolumesFrom = from
	links, err := e.dockerLinks(ctx, p, cs)
	if err != nil {
		return cs, err
	}
	cs.Links, cs.ExternalLinks = links, nil
	if len(joined) > 0 {
		cs.Labels = maps.Clone(cs.Labels)
		cs.Labels[LabelJoins] = strings.Join(joined, ",")
	}
	return cs, nil
}

// dockerLinks gives each link the names Docker Compose gives it: the alias,
// service-N and project-service-N for every container of the linked
// service (N being this container's number), and external links as written.
func (e *Engine) dockerLinks(ctx context.Context, p *spec.Project, cs ContainerSpec) ([]string, error) {
	var out []string
	number := cs.Labels[LabelNumber]
	for _, l := range cs.Links {
		svc, alias, ok := strings.Cut(l, ":")
		if !ok {
			alias = svc
		}
		containers, err := e.docker.ContainerList(ctx, Labels{LabelProject: p.Name, LabelService: svc, LabelOneoff: "False"})
		if err != nil {
			return nil, fmt.Errorf("link to %s: %w", svc, err)
		}
		if len(containers) == 0 {
			// Not created yet: a create ahead of the dependencies fails
			// here and is made again once they are up.
			return nil, fmt.Errorf("link to %s: the service has no container yet: %w", svc, ErrNotFound)
		}
		slices.SortFunc(containers, func(a, b Container) int { return strings.Compare(a.Name, b.Name) })
		for _, c := range containers {
			out = append(out, c.Name+":"+alias, c.Name+":"+svc+"-"+number, c.Name+":"+p.Name+"-"+svc+"-"+number)
		}
	}
	for _, l := range cs.ExternalLinks {
		name, alias, ok := strings.Cut(l, ":")
		if !ok {
			alias = name
		}
		out = append(out, name+":"+alias)
	}
	return out, nil
}

// staleJoin tells why a container must be recreated because a container it
// shares a namespace or volumes with was replaced since it was created, or
// "" when it need not be.
func staleJoin(s *spec.Service, c ObservedContainer, obs *Observed) string {
	shared := s.SharedServices()
	if len(shared) == 0 {
		return ""
	}
	have := map[string]bool{}
	for _, id := range strings.Split(c.Labels[LabelJoins], ",") {
		have[id] = true
	}
	for _, name := range shared {
		for _, t := range obs.ServiceContainers(name) {
			if t.Number == 1 && !have[t.ID] {
				return "shares the " + name + " container, which was replaced"
			}
		}
	}
	return ""
}
