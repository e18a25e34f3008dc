package mobydocker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	mswarm "github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"
	"go.uber.org/zap"

	"github.com/stack-dev/stack/swarm"
)

// Swarm is the daemon's swarm API as a swarm.Swarm: services, tasks,
// overlay networks, secrets and configs.
type Swarm struct{ c *Client }

var _ swarm.Swarm = Swarm{}

// Swarm returns the client's swarm API.
func (c *Client) Swarm() Swarm { return Swarm{c: c} }

func swarmErr(doing string, err error) error {
	switch {
	case err == nil:
		return nil
	case cerrdefs.IsNotFound(err):
		return fmt.Errorf("%s: %w: %w", doing, swarm.ErrNotFound, err)
	case cerrdefs.IsConflict(err), cerrdefs.IsAlreadyExists(err):
		return fmt.Errorf("%s: %w: %w", doing, swarm.ErrConflict, err)
	}
	return fmt.Errorf("%s: %w", doing, err)
}

func swarmFilters(labels map[string]string) client.Filters {
	f := client.Filters{}
	for k, v := range labels {
		if v == "" {
			f.Add("label", k)
		} else {
			f.Add("label", k+"="+v)
		}
	}
	return f
}

func (s Swarm) Manager(ctx context.Context) (bool, error) {
	s.c.log.Debug("api", zap.String("call", "Info"))
	res, err := s.c.api.Info(ctx, client.InfoOptions{})
	if err != nil {
		return false, swarmErr("swarm info", err)
	}
	return res.Info.Swarm.LocalNodeState == mswarm.LocalNodeStateActive && res.Info.Swarm.ControlAvailable, nil
}

func (s Swarm) ServiceList(ctx context.Context, labels map[string]string) ([]swarm.Service, error) {
	s.c.log.Debug("api", zap.String("call", "ServiceList"), zap.Any("labels", labels))
	res, err := s.c.api.ServiceList(ctx, client.ServiceListOptions{Filters: swarmFilters(labels)})
	if err != nil {
		return nil, swarmErr("list services", err)
	}
	out := make([]swarm.Service, 0, len(res.Items))
	for _, it := range res.Items {
		svc := swarm.Service{ID: it.ID, Version: it.Version.Index, Spec: fromServiceSpec(it.Spec)}
		if u := it.UpdateStatus; u != nil {
			svc.Update = swarm.UpdateStatus{State: string(u.State), Message: u.Message}
			if u.StartedAt != nil {
				svc.Update.Started = *u.StartedAt
			}
			if u.CompletedAt != nil {
				svc.Update.Completed = *u.CompletedAt
			}
		}
		out = append(out, svc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Spec.Name < out[j].Spec.Name })
	return out, nil
}

func (s Swarm) ServiceCreate(ctx context.Context, spec swarm.ServiceSpec) (string, error) {
	s.c.log.Debug("api", zap.String("call", "ServiceCreate"), zap.String("name", spec.Name))
	// The image is used as named: a node runs a local image, and the
	// registry is not asked for a digest (as `docker stack deploy
	// --resolve-image never`).
	res, err := s.c.api.ServiceCreate(ctx, client.ServiceCreateOptions{Spec: toServiceSpec(spec)})
	if err != nil {
		return "", swarmErr("create service "+spec.Name, err)
	}
	return res.ID, nil
}

func (s Swarm) ServiceUpdate(ctx context.Context, id string, version uint64, spec swarm.ServiceSpec) error {
	s.c.log.Debug("api", zap.String("call", "ServiceUpdate"), zap.String("id", id))
	_, err := s.c.api.ServiceUpdate(ctx, id, client.ServiceUpdateOptions{Version: mswarm.Version{Index: version}, Spec: toServiceSpec(spec)})
	return swarmErr("update service "+spec.Name, err)
}

func (s Swarm) ServiceRemove(ctx context.Context, id string) error {
	s.c.log.Debug("api", zap.String("call", "ServiceRemove"), zap.String("id", id))
	_, err := s.c.api.ServiceRemove(ctx, id, client.ServiceRemoveOptions{})
	return swarmErr("remove service "+id, err)
}

func (s Swarm) TaskList(ctx context.Context, serviceID string) ([]swarm.Task, error) {
	s.c.log.Debug("api", zap.String("call", "TaskList"), zap.String("service", serviceID))
	svc, err := s.c.api.ServiceInspect(ctx, serviceID, client.ServiceInspectOptions{})
	if err != nil {
		return nil, swarmErr("inspect service "+serviceID, err)
	}
	hosts := map[string]string{}
	if nodes, err := s.c.api.NodeList(ctx, client.NodeListOptions{}); err == nil {
		for _, n := range nodes.Items {
			hosts[n.ID] = n.Description.Hostname
		}
	}
	f := client.Filters{}
	f.Add("service", serviceID)
	res, err := s.c.api.TaskList(ctx, client.TaskListOptions{Filters: f})
	if err != nil {
		return nil, swarmErr("list tasks", err)
	}
	out := make([]swarm.Task, 0, len(res.Items))
	for _, t := range res.Items {
		if t.ServiceID != serviceID {
			continue
		}
		task := swarm.Task{
			ID: t.ID, ServiceID: t.ServiceID, Slot: t.Slot, NodeID: t.NodeID,
			State: string(t.Status.State), DesiredState: string(t.DesiredState), Err: t.Status.Err,
			Version: t.Version.Index, Created: t.CreatedAt, Since: t.Status.Timestamp,
			UpToDate: sameTaskSpec(t.Spec, svc.Service.Spec.TaskTemplate),
			Node:     hosts[t.NodeID],
		}
		if cs := t.Spec.ContainerSpec; cs != nil {
			task.Image = cs.Image
		}
		if t.Status.ContainerStatus != nil {
			task.ExitCode = t.Status.ContainerStatus.ExitCode
		}
		out = append(out, task)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// sameTaskSpec is what swarmkit compares to tell a task of an older spec
// (a dirty one): the task's spec and the service's template. The daemon
// reports the template's runtime ("container") but not the task's.
func sameTaskSpec(task, template mswarm.TaskSpec) bool {
	task.Runtime, template.Runtime = "", ""
	a, err1 := json.Marshal(task)
	b, err2 := json.Marshal(template)
	return err1 == nil && err2 == nil && bytes.Equal(a, b)
}

func (s Swarm) ServiceLogs(ctx context.Context, serviceID string, opts swarm.LogOptions, each func(swarm.LogLine)) error {
	s.c.log.Debug("api", zap.String("call", "ServiceLogs"), zap.String("service", serviceID))
	svc, err := s.c.api.ServiceInspect(ctx, serviceID, client.ServiceInspectOptions{})
	if err != nil {
		return swarmErr("inspect service "+serviceID, err)
	}
	rc, err := s.c.api.ServiceLogs(ctx, serviceID, client.ServiceLogsOptions{
		ShowStdout: true, ShowStderr: true, Follow: opts.Follow, Tail: opts.Tail,
		Timestamps: opts.Timestamps, Details: true,
	})
	if err != nil {
		return swarmErr("logs of service "+serviceID, err)
	}
	defer rc.Close()
	var mu sync.Mutex
	stdout := &logLines{each: each, mu: &mu, timestamps: opts.Timestamps}
	stderr := &logLines{each: each, mu: &mu, timestamps: opts.Timestamps, stderr: true}
	if cs := svc.Service.Spec.TaskTemplate.ContainerSpec; cs != nil && cs.TTY {
		_, err = io.Copy(stdout, rc)
	} else {
		_, err = stdcopy.StdCopy(stdout, stderr, rc)
	}
	stdout.flush()
	stderr.flush()
	if err != nil && !errors.Is(err, io.EOF) && ctx.Err() == nil {
		return fmt.Errorf("logs of service %s: %w", serviceID, err)
	}
	return nil
}

// logLines splits the service logs stream, whose lines read
// "[timestamp ]com.docker.swarm.node.id=…,…task.id=… text" when asked
// for details, into LogLines.
type logLines struct {
	each       func(swarm.LogLine)
	mu         *sync.Mutex
	timestamps bool
	stderr     bool
	buf        []byte
}

func (l *logLines) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.line(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
}

func (l *logLines) flush() {
	if len(l.buf) > 0 {
		l.line(string(l.buf))
		l.buf = nil
	}
}

func (l *logLines) line(s string) {
	ll := swarm.LogLine{Stderr: l.stderr}
	var ts string
	if l.timestamps {
		ts, s, _ = strings.Cut(s, " ")
	}
	details, text, _ := strings.Cut(s, " ")
	if attrs, err := url.ParseQuery(strings.ReplaceAll(details, ",", "&")); err == nil {
		ll.TaskID, ll.NodeID = attrs.Get("com.docker.swarm.task.id"), attrs.Get("com.docker.swarm.node.id")
	}
	if ll.TaskID == "" {
		text = s // not a details prefix
	}
	if ts != "" {
		text = ts + " " + text
	}
	ll.Text = text
	l.mu.Lock()
	defer l.mu.Unlock()
	l.each(ll)
}

func (s Swarm) NetworkList(ctx context.Context, labels map[string]string) ([]swarm.Network, error) {
	s.c.log.Debug("api", zap.String("call", "NetworkList"), zap.Any("labels", labels))
	f := swarmFilters(labels)
	f.Add("scope", "swarm")
	res, err := s.c.api.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		return nil, swarmErr("list networks", err)
	}
	out := make([]swarm.Network, 0, len(res.Items))
	for _, n := range res.Items {
		out = append(out, swarm.Network{ID: n.ID, Name: n.Name, Labels: n.Labels, Driver: n.Driver})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (s Swarm) NetworkCreate(ctx context.Context, spec swarm.NetworkSpec) (string, error) {
	s.c.log.Debug("api", zap.String("call", "NetworkCreate"), zap.String("name", spec.Name))
	driver := spec.Driver
	if driver == "" {
		driver = "overlay"
	}
	opts := client.NetworkCreateOptions{
		Driver: driver, Scope: "swarm", Labels: spec.Labels, Options: spec.Options,
		Internal: spec.Internal, Attachable: spec.Attachable,
	}
	if len(spec.Subnets) > 0 {
		opts.IPAM = &network.IPAM{}
		for _, sn := range spec.Subnets {
			p, err := netip.ParsePrefix(sn)
			if err != nil {
				return "", fmt.Errorf("network %s: subnet %q: %w", spec.Name, sn, err)
			}
			opts.IPAM.Config = append(opts.IPAM.Config, network.IPAMConfig{Subnet: p})
		}
	}
	res, err := s.c.api.NetworkCreate(ctx, spec.Name, opts)
	if err != nil {
		return "", swarmErr("create network "+spec.Name, err)
	}
	return res.ID, nil
}

func (s Swarm) NetworkRemove(ctx context.Context, id string) error {
	s.c.log.Debug("api", zap.String("call", "NetworkRemove"), zap.String("id", id))
	_, err := s.c.api.NetworkRemove(ctx, id, client.NetworkRemoveOptions{})
	return swarmErr("remove network "+id, err)
}

func (s Swarm) SecretList(ctx context.Context, labels map[string]string) ([]swarm.Object, error) {
	s.c.log.Debug("api", zap.String("call", "SecretList"))
	res, err := s.c.api.SecretList(ctx, client.SecretListOptions{Filters: swarmFilters(labels)})
	if err != nil {
		return nil, swarmErr("list secrets", err)
	}
	out := make([]swarm.Object, 0, len(res.Items))
	for _, it := range res.Items {
		out = append(out, swarm.Object{ID: it.ID, Name: it.Spec.Name, Labels: it.Spec.Labels})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (s Swarm) SecretCreate(ctx context.Context, spec swarm.ObjectSpec) (string, error) {
	s.c.log.Debug("api", zap.String("call", "SecretCreate"), zap.String("name", spec.Name))
	res, err := s.c.api.SecretCreate(ctx, client.SecretCreateOptions{Spec: mswarm.SecretSpec{
		Annotations: mswarm.Annotations{Name: spec.Name, Labels: spec.Labels}, Data: spec.Data,
	}})
	if err != nil {
		return "", swarmErr("create secret "+spec.Name, err)
	}
	return res.ID, nil
}

func (s Swarm) SecretRemove(ctx context.Context, id string) error {
	s.c.log.Debug("api", zap.String("call", "SecretRemove"), zap.String("id", id))
	_, err := s.c.api.SecretRemove(ctx, id, client.SecretRemoveOptions{})
	return swarmErr("remove secret "+id, err)
}

func (s Swarm) ConfigList(ctx context.Context, labels map[string]string) ([]swarm.Object, error) {
	s.c.log.Debug("api", zap.String("call", "ConfigList"))
	res, err := s.c.api.ConfigList(ctx, client.ConfigListOptions{Filters: swarmFilters(labels)})
	if err != nil {
		return nil, swarmErr("list configs", err)
	}
	out := make([]swarm.Object, 0, len(res.Items))
	for _, it := range res.Items {
		out = append(out, swarm.Object{ID: it.ID, Name: it.Spec.Name, Labels: it.Spec.Labels})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (s Swarm) ConfigCreate(ctx context.Context, spec swarm.ObjectSpec) (string, error) {
	s.c.log.Debug("api", zap.String("call", "ConfigCreate"), zap.String("name", spec.Name))
	res, err := s.c.api.ConfigCreate(ctx, client.ConfigCreateOptions{Spec: mswarm.ConfigSpec{
		Annotations: mswarm.Annotations{Name: spec.Name, Labels: spec.Labels}, Data: spec.Data,
	}})
	if err != nil {
		return "", swarmErr("create config "+spec.Name, err)
	}
	return res.ID, nil
}

func (s Swarm) ConfigRemove(ctx context.Context, id string) error {
	s.c.log.Debug("api", zap.String("call", "ConfigRemove"), zap.String("id", id))
	_, err := s.c.api.ConfigRemove(ctx, id, client.ConfigRemoveOptions{})
	return swarmErr("remove config "+id, err)
}

// SwarmInit makes the engine a single-node swarm manager advertising addr;
// tests use it (with SwarmLeave) around swarm tests.
func (c *Client) SwarmInit(ctx context.Context, addr string) error {
	_, err := c.api.SwarmInit(ctx, client.SwarmInitOptions{ListenAddr: "0.0.0.0:2377", AdvertiseAddr: addr})
	return swarmErr("swarm init", err)
}

// SwarmLeave makes the engine leave its swarm, forcing a last manager out.
func (c *Client) SwarmLeave(ctx context.Context) error {
	_, err := c.api.SwarmLeave(ctx, client.SwarmLeaveOptions{Force: true})
	return swarmErr("swarm leave", err)
}

func toServiceSpec(s swarm.ServiceSpec) mswarm.ServiceSpec {
	cs := &mswarm.ContainerSpec{
		Image: s.Image, Labels: s.ContainerLabels, Command: s.Command, Args: s.Args,
		Hostname: s.Hostname, Env: s.Env, Dir: s.Dir, User: s.User, Init: s.Init,
		StopSignal: s.StopSignal, TTY: s.TTY, OpenStdin: s.OpenStdin, ReadOnly: s.ReadOnly,
		StopGracePeriod: s.StopGracePeriod, Hosts: s.Hosts, Sysctls: s.Sysctls,
		CapabilityAdd: s.CapAdd, CapabilityDrop: s.CapDrop,
	}
	if h := s.Healthcheck; h != nil {
		cs.Healthcheck = &container.HealthConfig{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries}
	}
	if len(s.DNS)+len(s.DNSSearch)+len(s.DNSOptions) > 0 {
		dc := &mswarm.DNSConfig{Search: s.DNSSearch, Options: s.DNSOptions}
		for _, a := range s.DNS {
			if ip, err := netip.ParseAddr(a); err == nil {
				dc.Nameservers = append(dc.Nameservers, ip)
			}
		}
		cs.DNSConfig = dc
	}
	for _, m := range s.Mounts {
		mm := mount.Mount{Type: mount.Type(m.Type), Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly}
		switch m.Type {
		case "volume":
			if m.VolumeLabels != nil || m.NoCopy || m.VolumeDriver != "" {
				mm.VolumeOptions = &mount.VolumeOptions{NoCopy: m.NoCopy, Labels: m.VolumeLabels}
				if m.VolumeDriver != "" {
					mm.VolumeOptions.DriverConfig = &mount.Driver{Name: m.VolumeDriver, Options: m.DriverOpts}
				}
			}
		case "tmpfs":
			if m.TmpfsSize != 0 {
				mm.TmpfsOptions = &mount.TmpfsOptions{SizeBytes: m.TmpfsSize}
			}
		}
		cs.Mounts = append(cs.Mounts, mm)
	}
	for _, r := range s.Secrets {
		cs.Secrets = append(cs.Secrets, &mswarm.SecretReference{SecretID: r.ID, SecretName: r.Name,
			File: &mswarm.SecretReferenceFileTarget{Name: r.Target, UID: r.UID, GID: r.GID, Mode: os.FileMode(r.Mode)}})
	}
	for _, r := range s.Configs {
		cs.Configs = append(cs.Configs, &mswarm.ConfigReference{ConfigID: r.ID, ConfigName: r.Name,
			File: &mswarm.ConfigReferenceFileTarget{Name: r.Target, UID: r.UID, GID: r.GID, Mode: os.FileMode(r.Mode)}})
	}
	ts := mswarm.TaskSpec{ContainerSpec: cs}
	for _, n := range s.Networks {
		ts.Networks = append(ts.Networks, mswarm.NetworkAttachmentConfig{Target: n.Target, Aliases: n.Aliases})
	}
	if r := s.Restart; r != nil {
		ts.RestartPolicy = &mswarm.RestartPolicy{Condition: mswarm.RestartPolicyCondition(r.Condition), MaxAttempts: r.MaxAttempts, Delay: r.Delay, Window: r.Window}
	}
	if len(s.Constraints) > 0 || len(s.Preferences) > 0 || s.MaxReplicas != 0 {
		ts.Placement = &mswarm.Placement{Constraints: s.Constraints, MaxReplicas: s.MaxReplicas}
		for _, p := range s.Preferences {
			ts.Placement.Preferences = append(ts.Placement.Preferences, mswarm.PlacementPreference{Spread: &mswarm.SpreadOver{SpreadDescriptor: p}})
		}
	}
	if s.LimitNanoCPUs != 0 || s.LimitMemoryBytes != 0 || s.ReserveMemoryBytes != 0 {
		ts.Resources = &mswarm.ResourceRequirements{}
		if s.LimitNanoCPUs != 0 || s.LimitMemoryBytes != 0 {
			ts.Resources.Limits = &mswarm.Limit{NanoCPUs: s.LimitNanoCPUs, MemoryBytes: s.LimitMemoryBytes}
		}
		if s.ReserveMemoryBytes != 0 {
			ts.Resources.Reservations = &mswarm.Resources{MemoryBytes: s.ReserveMemoryBytes}
		}
	}
	if s.LogDriver != "" {
		ts.LogDriver = &mswarm.Driver{Name: s.LogDriver, Options: s.LogOptions}
	}
	out := mswarm.ServiceSpec{
		Annotations:  mswarm.Annotations{Name: s.Name, Labels: s.Labels},
		TaskTemplate: ts,
		EndpointSpec: &mswarm.EndpointSpec{Mode: mswarm.ResolutionModeVIP},
	}
	if s.EndpointMode != "" {
		out.EndpointSpec.Mode = mswarm.ResolutionMode(s.EndpointMode)
	}
	for _, p := range s.Ports {
		out.EndpointSpec.Ports = append(out.EndpointSpec.Ports, mswarm.PortConfig{
			Protocol: network.IPProtocol(p.Protocol), TargetPort: p.Target, PublishedPort: p.Published,
			PublishMode: mswarm.PortConfigPublishMode(p.Mode),
		})
	}
	switch s.Mode {
	case swarm.ModeGlobal:
		out.Mode.Global = &mswarm.GlobalService{}
	case swarm.ModeReplicatedJob:
		out.Mode.ReplicatedJob = &mswarm.ReplicatedJob{MaxConcurrent: s.Replicas, TotalCompletions: s.Replicas}
	case swarm.ModeGlobalJob:
		out.Mode.GlobalJob = &mswarm.GlobalJob{}
	default:
		out.Mode.Replicated = &mswarm.ReplicatedService{Replicas: s.Replicas}
	}
	out.UpdateConfig, out.RollbackConfig = toUpdateConfig(s.Update), toUpdateConfig(s.Rollback)
	return out
}

func fromServiceSpec(m mswarm.ServiceSpec) swarm.ServiceSpec {
	s := swarm.ServiceSpec{Name: m.Name, Labels: m.Labels}
	if cs := m.TaskTemplate.ContainerSpec; cs != nil {
		s.Image, s.ContainerLabels, s.Command, s.Args = cs.Image, cs.Labels, cs.Command, cs.Args
		s.Hostname, s.Env, s.Dir, s.User, s.Init = cs.Hostname, cs.Env, cs.Dir, cs.User, cs.Init
		s.StopSignal, s.TTY, s.OpenStdin, s.ReadOnly = cs.StopSignal, cs.TTY, cs.OpenStdin, cs.ReadOnly
		s.StopGracePeriod, s.Hosts, s.Sysctls = cs.StopGracePeriod, cs.Hosts, cs.Sysctls
		s.CapAdd, s.CapDrop = cs.CapabilityAdd, cs.CapabilityDrop
		if h := cs.Healthcheck; h != nil {
			s.Healthcheck = &swarm.Healthcheck{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries}
		}
		if dc := cs.DNSConfig; dc != nil {
			for _, a := range dc.Nameservers {
				s.DNS = append(s.DNS, a.String())
			}
			s.DNSSearch, s.DNSOptions = dc.Search, dc.Options
		}
		for _, mm := range cs.Mounts {
			sm := swarm.Mount{Type: string(mm.Type), Source: mm.Source, Target: mm.Target, ReadOnly: mm.ReadOnly}
			if vo := mm.VolumeOptions; vo != nil {
				sm.NoCopy, sm.VolumeLabels = vo.NoCopy, vo.Labels
				if vo.DriverConfig != nil {
					sm.VolumeDriver, sm.DriverOpts = vo.DriverConfig.Name, vo.DriverConfig.Options
				}
			}
			if mm.TmpfsOptions != nil {
				sm.TmpfsSize = mm.TmpfsOptions.SizeBytes
			}
			s.Mounts = append(s.Mounts, sm)
		}
		for _, r := range cs.Secrets {
			f := swarm.FileRef{ID: r.SecretID, Name: r.SecretName}
			if r.File != nil {
				f.Target, f.UID, f.GID, f.Mode = r.File.Name, r.File.UID, r.File.GID, uint32(r.File.Mode)
			}
			s.Secrets = append(s.Secrets, f)
		}
		for _, r := range cs.Configs {
			f := swarm.FileRef{ID: r.ConfigID, Name: r.ConfigName}
			if r.File != nil {
				f.Target, f.UID, f.GID, f.Mode = r.File.Name, r.File.UID, r.File.GID, uint32(r.File.Mode)
			}
			s.Configs = append(s.Configs, f)
		}
	}
	for _, n := range m.TaskTemplate.Networks {
		s.Networks = append(s.Networks, swarm.NetworkAttachment{Target: n.Target, Aliases: n.Aliases})
	}
	if r := m.TaskTemplate.RestartPolicy; r != nil {
		s.Restart = &swarm.RestartPolicy{Condition: string(r.Condition), MaxAttempts: r.MaxAttempts, Delay: r.Delay, Window: r.Window}
	}
	if pl := m.TaskTemplate.Placement; pl != nil {
		s.Constraints, s.MaxReplicas = pl.Constraints, pl.MaxReplicas
		for _, p := range pl.Preferences {
			if p.Spread != nil {
				s.Preferences = append(s.Preferences, p.Spread.SpreadDescriptor)
			}
		}
	}
	if res := m.TaskTemplate.Resources; res != nil {
		if res.Limits != nil {
			s.LimitNanoCPUs, s.LimitMemoryBytes = res.Limits.NanoCPUs, res.Limits.MemoryBytes
		}
		if res.Reservations != nil {
			s.ReserveMemoryBytes = res.Reservations.MemoryBytes
		}
	}
	if d := m.TaskTemplate.LogDriver; d != nil {
		s.LogDriver, s.LogOptions = d.Name, d.Options
	}
	if e := m.EndpointSpec; e != nil {
		if e.Mode != mswarm.ResolutionModeVIP {
			s.EndpointMode = string(e.Mode)
		}
		for _, p := range e.Ports {
			s.Ports = append(s.Ports, swarm.Port{Protocol: string(p.Protocol), Target: p.TargetPort, Published: p.PublishedPort, Mode: string(p.PublishMode)})
		}
	}
	switch {
	case m.Mode.Global != nil:
		s.Mode = swarm.ModeGlobal
	case m.Mode.GlobalJob != nil:
		s.Mode = swarm.ModeGlobalJob
	case m.Mode.ReplicatedJob != nil:
		s.Mode = swarm.ModeReplicatedJob
		s.Replicas = m.Mode.ReplicatedJob.TotalCompletions
	default:
		s.Mode = swarm.ModeReplicated
		if m.Mode.Replicated != nil {
			s.Replicas = m.Mode.Replicated.Replicas
		}
	}
	s.Update, s.Rollback = fromUpdateConfig(m.UpdateConfig), fromUpdateConfig(m.RollbackConfig)
	return s
}

func toUpdateConfig(u *swarm.UpdateConfig) *mswarm.UpdateConfig {
	if u == nil {
		return nil
	}
	return &mswarm.UpdateConfig{Parallelism: u.Parallelism, Delay: u.Delay, FailureAction: mswarm.FailureAction(u.FailureAction),
		Monitor: u.Monitor, MaxFailureRatio: u.MaxFailureRatio, Order: mswarm.UpdateOrder(u.Order)}
}

func fromUpdateConfig(u *mswarm.UpdateConfig) *swarm.UpdateConfig {
	if u == nil {
		return nil
	}
	return &swarm.UpdateConfig{Parallelism: u.Parallelism, Delay: u.Delay, FailureAction: string(u.FailureAction),
		Monitor: u.Monitor, MaxFailureRatio: u.MaxFailureRatio, Order: string(u.Order)}
}
