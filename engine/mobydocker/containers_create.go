package mobydocker

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"math"
	"net/netip"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/stack-dev/stack/engine"
)

// ContainerCreate creates a container attached to every network of spec.
// API 1.41 takes one network at create, so the others are connected before
// returning; if that fails the half-made container is removed again so a
// retry does not meet a name conflict.
func (c *Client) ContainerCreate(ctx context.Context, spec engine.ContainerSpec) (id string, err error) {
	defer c.trace("ContainerCreate", spec.Name)(&err)
	opts, err := createOptions(spec)
	if err != nil {
		return "", fmt.Errorf("create container %s: %w", spec.Name, err)
	}
	var res client.ContainerCreateResult
	if spec.MacAddress != "" {
		res.ID, res.Warnings, err = c.createWithMacAddress(ctx, opts, spec.MacAddress)
		if err != nil {
			return "", fmt.Errorf("create container %s: %w", spec.Name, err)
		}
	} else if res, err = c.api.ContainerCreate(ctx, opts); err != nil {
		return "", apiErr("create container "+spec.Name, err)
	}
	for _, w := range res.Warnings {
		c.log.Warn("docker: " + w)
	}
	if len(spec.Networks) > 1 {
		for _, att := range spec.Networks[1:] {
			if err := c.networkConnect(ctx, res.ID, att, spec.Links); err != nil {
				c.removeAfterFailedCreate(res.ID)
				return "", fmt.Errorf("create container %s: %w", spec.Name, err)
			}
		}
	}
	files := spec.Files
	if spec.APISocket {
		creds, err := apiSocketCredentials()
		if err != nil {
			c.removeAfterFailedCreate(res.ID)
			return "", fmt.Errorf("create container %s: use_api_socket: %w", spec.Name, err)
		}
		files = append(files, engine.ContainerFile{Path: "/run/secrets/docker/config.json", Content: creds, Mode: 0o400})
	}
	if len(files) > 0 {
		if err := c.copyFiles(ctx, res.ID, files); err != nil {
			c.removeAfterFailedCreate(res.ID)
			return "", fmt.Errorf("create container %s: %w", spec.Name, err)
		}
	}
	return res.ID, nil
}

// copyFiles writes files (secrets and configs with inline content) into a
// created container, as one tar with their parent folders, so they exist
// before the process starts.
func (c *Client) copyFiles(ctx context.Context, id string, files []engine.ContainerFile) (err error) {
	defer c.trace("CopyToContainer", id)(&err)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	for _, f := range files {
		rel := strings.TrimPrefix(path.Clean(f.Path), "/")
		for dir := path.Dir(rel); dir != "." && !dirs[dir]; dir = path.Dir(dir) {
			dirs[dir] = true
		}
	}
	dirList := make([]string, 0, len(dirs))
	for d := range dirs {
		dirList = append(dirList, d)
	}
	sort.Strings(dirList) // parents sort before their children
	for _, d := range dirList {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755}); err != nil {
			return err
		}
	}
	for _, f := range files {
		mode := int64(f.Mode)
		if mode == 0 {
			mode = 0o444
		}
		hdr := &tar.Header{
			Typeflag: tar.TypeReg, Name: strings.TrimPrefix(path.Clean(f.Path), "/"),
			Mode: mode, Size: int64(len(f.Content)), Uid: f.UID, Gid: f.GID,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(f.Content); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return c.copyTar(ctx, id, "/", &buf, true)
}

func (c *Client) networkConnect(ctx context.Context, id string, att engine.NetworkAttachment, links []string) (err error) {
	defer c.trace("NetworkConnect", att.Network)(&err)
	es, err := endpointSettings(att, links)
	if err != nil {
		return err
	}
	_, err = c.api.NetworkConnect(ctx, att.Network, client.NetworkConnectOptions{Container: id, EndpointConfig: es})
	return apiErr("connect to network "+att.Network, err)
}

// removeAfterFailedCreate cleans up with its own context: the caller's may
// be what failed.
func (c *Client) removeAfterFailedCreate(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.ContainerRemove(ctx, id, true); err != nil {
		c.log.Warn("remove half-created container: " + err.Error())
	}
}

func createOptions(spec engine.ContainerSpec) (client.ContainerCreateOptions, error) {
	cfg := &container.Config{
		Hostname:     spec.Hostname,
		User:         spec.User,
		Tty:          spec.Tty,
		OpenStdin:    spec.OpenStdin,
		StdinOnce:    spec.StdinOnce,
		Env:          spec.Env,
		Cmd:          spec.Cmd,
		Entrypoint:   spec.Entrypoint,
		Image:        spec.Image,
		WorkingDir:   spec.WorkingDir,
		Labels:       spec.Labels,
		StopSignal:   spec.StopSignal,
		ExposedPorts: network.PortSet{},
	}
	if spec.StopTimeout != nil {
		secs := seconds(*spec.StopTimeout)
		cfg.StopTimeout = &secs
	}
	if hc := spec.Healthcheck; hc != nil {
		cfg.Healthcheck = &container.HealthConfig{
			Test:          hc.Test,
			Interval:      hc.Interval,
			Timeout:       hc.Timeout,
			StartPeriod:   hc.StartPeriod,
			StartInterval: hc.StartInterval, // ignored before API 1.44
			Retries:       hc.Retries,
		}
	}

	host := &container.HostConfig{
		PortBindings: network.PortMap{},
		RestartPolicy: container.RestartPolicy{
			Name:              container.RestartPolicyMode(spec.RestartPolicy),
			MaximumRetryCount: spec.RestartMax,
		},
		AutoRemove:     spec.AutoRemove,
		ExtraHosts:     spec.ExtraHosts,
		Init:           spec.Init,
		ReadonlyRootfs: spec.ReadOnly,
		Privileged:     spec.Privileged,
		CapAdd:         spec.CapAdd,
		CapDrop:        spec.CapDrop,
		SecurityOpt:    spec.SecurityOpt,
	}
	host.NanoCPUs = spec.NanoCPUs
	host.Memory = spec.Memory
	for _, g := range spec.GPUs {
		req := container.DeviceRequest{Driver: g.Driver, Count: g.Count, DeviceIDs: g.DeviceIDs, Options: g.Options}
		if len(g.Capabilities) > 0 {
			req.Capabilities = [][]string{g.Capabilities}
		}
		host.DeviceRequests = append(host.DeviceRequests, req)
	}
	for _, m := range spec.Mounts {
		if m.SELinux != "" {
			// The mount API has no SELinux relabelling; binds do, as
			// Compose uses them for it.
			host.Binds = append(host.Binds, bindString(m))
			continue
		}
		host.Mounts = append(host.Mounts, toMount(m))
	}

	for _, p := range spec.ExposedPorts {
		port, err := network.ParsePort(p)
		if err != nil {
			return client.ContainerCreateOptions{}, fmt.Errorf("exposed port %q: %w", p, err)
		}
		cfg.ExposedPorts[port] = struct{}{}
	}
	for _, pb := range spec.Ports {
		port, binding, err := toPortBinding(pb)
		if err != nil {
			return client.ContainerCreateOptions{}, err
		}
		cfg.ExposedPorts[port] = struct{}{}
		host.PortBindings[port] = append(host.PortBindings[port], binding)
	}

	if err := setRuntime(cfg, host, spec); err != nil {
		return client.ContainerCreateOptions{}, err
	}
	opts := client.ContainerCreateOptions{Name: spec.Name, Config: cfg, HostConfig: host}
	if len(spec.Networks) > 0 {
		first := spec.Networks[0]
		es, err := endpointSettings(first, spec.Links)
		if err != nil {
			return client.ContainerCreateOptions{}, err
		}
		host.NetworkMode = container.NetworkMode(first.Network)
		opts.NetworkingConfig = &network.NetworkingConfig{
			EndpointsConfig: map[string]*network.EndpointSettings{first.Network: es},
		}
	}
	if spec.Platform != "" {
		p, err := platform(spec.Platform)
		if err != nil {
			return client.ContainerCreateOptions{}, err
		}
		opts.Platform = &p
	}
	return opts, nil
}

// endpointSettings is a container's endpoint on a network. Links go on
// every endpoint, as Compose puts them: on a user-defined network the
// daemon reads them there, not from HostConfig.
func endpointSettings(att engine.NetworkAttachment, links []string) (*network.EndpointSettings, error) {
	es := &network.EndpointSettings{Aliases: att.Aliases, Links: links}
	if att.IPv4Address != "" {
		ip, err := netip.ParseAddr(att.IPv4Address)
		if err != nil {
			return nil, fmt.Errorf("ipv4 address on network %s: %w", att.Network, err)
		}
		es.IPAMConfig = &network.EndpointIPAMConfig{IPv4Address: ip}
	}
	return es, nil
}

func toMount(m engine.Mount) mount.Mount {
	out := mount.Mount{Type: mount.Type(m.Type), Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly, Consistency: mount.Consistency(m.Consistency)}
	switch m.Type {
	case "tmpfs":
		if m.TmpfsSize > 0 || m.TmpfsMode != 0 {
			out.TmpfsOptions = &mount.TmpfsOptions{SizeBytes: m.TmpfsSize, Mode: os.FileMode(m.TmpfsMode)}
		}
	case "volume":
		if m.NoCopy || m.Subpath != "" {
			out.VolumeOptions = &mount.VolumeOptions{NoCopy: m.NoCopy, Subpath: m.Subpath}
		}
	case "bind":
		if m.Propagation != "" {
			out.BindOptions = &mount.BindOptions{Propagation: mount.Propagation(m.Propagation)}
		}
	}
	return out
}

// bindString writes a bind mount in the -v form: "src:dst:ro,z,rslave".
func bindString(m engine.Mount) string {
	opts := []string{"rw"}
	if m.ReadOnly {
		opts[0] = "ro"
	}
	for _, o := range []string{m.SELinux, m.Propagation} {
		if o != "" {
			opts = append(opts, o)
		}
	}
	return m.Source + ":" + m.Target + ":" + strings.Join(opts, ",")
}

func toPortBinding(pb engine.PortBinding) (network.Port, network.PortBinding, error) {
	proto := pb.Protocol
	if proto == "" {
		proto = "tcp"
	}
	port, err := network.ParsePort(strconv.Itoa(int(pb.ContainerPort)) + "/" + proto)
	if err != nil {
		return network.Port{}, network.PortBinding{}, fmt.Errorf("port %d/%s: %w", pb.ContainerPort, proto, err)
	}
	binding := network.PortBinding{HostPort: pb.HostPort}
	if pb.HostIP != "" {
		ip, err := netip.ParseAddr(pb.HostIP)
		if err != nil {
			return network.Port{}, network.PortBinding{}, fmt.Errorf("host ip of port %d: %w", pb.ContainerPort, err)
		}
		binding.HostIP = ip
	}
	return port, binding, nil
}

// platform parses "os/arch[/variant]".
func platform(s string) (ocispec.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return ocispec.Platform{}, fmt.Errorf("platform %q: want os/arch[/variant]", s)
	}
	p := ocispec.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return p, nil
}

// seconds rounds d up to whole seconds, as the API counts stop timeouts.
func seconds(d time.Duration) int {
	return int(math.Ceil(d.Seconds()))
}
