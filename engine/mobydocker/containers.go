package mobydocker

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/stack-dev/stack/engine"
)

// ContainerList lists containers in any state whose labels match.
func (c *Client) ContainerList(ctx context.Context, labels engine.Labels) (out []engine.Container, err error) {
	defer c.trace("ContainerList", "")(&err)
	res, err := c.api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: labelFilters(labels)})
	if err != nil {
		return nil, apiErr("list containers", err)
	}
	out = make([]engine.Container, 0, len(res.Items))
	for _, s := range res.Items {
		ctr := engine.Container{
			ID:      s.ID,
			Image:   s.Image,
			ImageID: s.ImageID,
			Labels:  s.Labels,
			State:   string(s.State),
			Status:  s.Status,
			Created: time.Unix(s.Created, 0),
		}
		if len(s.Names) > 0 {
			ctr.Name = strings.TrimPrefix(s.Names[0], "/")
		}
		for _, p := range s.Ports {
			pb := engine.PortBinding{ContainerPort: p.PrivatePort, Protocol: p.Type}
			if p.PublicPort != 0 {
				pb.HostPort = itoa(p.PublicPort)
			}
			if p.IP.IsValid() {
				pb.HostIP = p.IP.String()
			}
			ctr.Ports = append(ctr.Ports, pb)
		}
		out = append(out, ctr)
	}
	return out, nil
}

// ContainerInspect returns the inspected state of one container.
func (c *Client) ContainerInspect(ctx context.Context, id string) (st engine.ContainerState, err error) {
	defer c.trace("ContainerInspect", id)(&err)
	res, err := c.api.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return engine.ContainerState{}, apiErr("inspect container "+id, err)
	}
	return inspectedState(res.Container), nil
}

func inspectedState(r container.InspectResponse) engine.ContainerState {
	st := engine.ContainerState{Container: engine.Container{
		ID:      r.ID,
		Name:    strings.TrimPrefix(r.Name, "/"),
		ImageID: r.Image,
	}}
	if t, err := time.Parse(time.RFC3339Nano, r.Created); err == nil {
		st.Created = t
	}
	if r.Config != nil {
		st.Image = r.Config.Image
		st.Labels = r.Config.Labels
	}
	st.RestartCount = r.RestartCount
	if s := r.State; s != nil {
		st.State = string(s.Status)
		st.Running = s.Running
		st.ExitCode = s.ExitCode
		st.Error = s.Error
		st.StartedAt = apiTime(s.StartedAt)
		st.FinishedAt = apiTime(s.FinishedAt)
		if h := s.Health; h != nil {
			st.Health = string(h.Status)
			for _, res := range h.Log {
				if res != nil {
					st.HealthLog = append(st.HealthLog, strings.TrimSpace(res.Output))
				}
			}
		}
	}
	if ns := r.NetworkSettings; ns != nil {
		st.Networks = map[string][]string{}
		for name, ep := range ns.Networks {
			var aliases []string
			if ep != nil {
				aliases = ep.Aliases
			}
			st.Networks[name] = aliases
		}
		st.Ports = inspectedPorts(ns.Ports)
	}
	for _, m := range r.Mounts {
		source := m.Source
		if m.Type == "volume" {
			source = m.Name
		}
		st.Mounts = append(st.Mounts, engine.Mount{Type: string(m.Type), Source: source, Target: m.Destination, ReadOnly: !m.RW})
	}
	return st
}

// inspectedPorts lists the published ports, sorted so repeated inspects
// compare equal.
func inspectedPorts(pm network.PortMap) []engine.PortBinding {
	var out []engine.PortBinding
	for port, bindings := range pm {
		for _, b := range bindings {
			pb := engine.PortBinding{ContainerPort: port.Num(), Protocol: string(port.Proto()), HostPort: b.HostPort}
			if b.HostIP.IsValid() {
				pb.HostIP = b.HostIP.String()
			}
			out = append(out, pb)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.ContainerPort != b.ContainerPort {
			return a.ContainerPort < b.ContainerPort
		}
		if a.Protocol != b.Protocol {
			return a.Protocol < b.Protocol
		}
		return a.HostIP < b.HostIP
	})
	return out
}

// apiTime parses the daemon's timestamps; its "0001-01-01T00:00:00Z" for
// "never" becomes the zero time.
func apiTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() <= 1 {
		return time.Time{}
	}
	return t
}

// ContainerStart starts a container; starting a running one is a no-op.
func (c *Client) ContainerStart(ctx context.Context, id string) (err error) {
	defer c.trace("ContainerStart", id)(&err)
	_, err = c.api.ContainerStart(ctx, id, client.ContainerStartOptions{})
	return apiErr("start container "+id, err)
}

// ContainerStop sends the stop signal and kills after timeout (nil: the
// container's own stop timeout). Stopping a stopped container is a no-op.
func (c *Client) ContainerStop(ctx context.Context, id string, timeout *time.Duration) (err error) {
	defer c.trace("ContainerStop", id)(&err)
	opts := client.ContainerStopOptions{}
	if timeout != nil {
		secs := seconds(*timeout)
		opts.Timeout = &secs
	}
	_, err = c.api.ContainerStop(ctx, id, opts)
	return apiErr("stop container "+id, err)
}

// ContainerKill sends signal ("" means SIGKILL) to a running container.
func (c *Client) ContainerKill(ctx context.Context, id string, signal string) (err error) {
	defer c.trace("ContainerKill", id)(&err)
	_, err = c.api.ContainerKill(ctx, id, client.ContainerKillOptions{Signal: signal})
	return apiErr("kill container "+id, err)
}

// ContainerRemove removes a container with its anonymous volumes; force
// kills it first if it runs.
func (c *Client) ContainerRemove(ctx context.Context, id string, force bool) (err error) {
	defer c.trace("ContainerRemove", id)(&err)
	_, err = c.api.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: force, RemoveVolumes: true})
	return apiErr("remove container "+id, err)
}

// ContainerRename gives a container a new name.
func (c *Client) ContainerRename(ctx context.Context, id, name string) (err error) {
	defer c.trace("ContainerRename", id)(&err)
	_, err = c.api.ContainerRename(ctx, id, client.ContainerRenameOptions{NewName: name})
	return apiErr("rename container "+id+" to "+name, err)
}

// ContainerWait blocks until the container is not running (at once if it
// never started) and returns its exit code.
func (c *Client) ContainerWait(ctx context.Context, id string) (code int, err error) {
	defer c.trace("ContainerWait", id)(&err)
	res := c.api.ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	select {
	case r := <-res.Result:
		if r.Error != nil && r.Error.Message != "" {
			return int(r.StatusCode), apiErr("wait for container "+id, errors.New(r.Error.Message))
		}
		return int(r.StatusCode), nil
	case err := <-res.Error:
		return 0, apiErr("wait for container "+id, err)
	}
}
