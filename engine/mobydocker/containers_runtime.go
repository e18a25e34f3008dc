package mobydocker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sort"
	"strings"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/moby/moby/api/types/blkiodev"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
)

// setRuntime maps the namespace, device, kernel and tuning settings of
// spec onto the create request, as Docker Compose does (see its
// pkg/compose/create.go): the same fields, so `docker inspect` of a
// container stack makes matches one Compose makes.
func setRuntime(cfg *container.Config, host *container.HostConfig, cs engine.ContainerSpec) error {
	r := cs.RuntimeOptions
	cfg.Domainname = r.DomainName
	if cs.NetworkMode != "" {
		host.NetworkMode = container.NetworkMode(cs.NetworkMode)
	}
	host.IpcMode = container.IpcMode(cs.IpcMode)
	host.PidMode = container.PidMode(cs.PidMode)
	host.VolumesFrom = cs.VolumesFrom
	host.Links = cs.Links
	host.UTSMode = container.UTSMode(r.Uts)
	host.UsernsMode = container.UsernsMode(r.UsernsMode)
	host.CgroupnsMode = container.CgroupnsMode(r.Cgroup)
	host.Isolation = container.Isolation(r.Isolation)
	host.Runtime = r.Runtime
	host.GroupAdd = r.GroupAdd
	host.ShmSize = r.ShmSize
	host.Sysctls = r.Sysctls
	host.StorageOpt = r.StorageOpt
	host.Annotations = r.Annotations
	host.OomScoreAdj = int(r.OomScoreAdj)
	host.DNSSearch = r.DNSSearch
	host.DNSOptions = r.DNSOpt
	for _, d := range r.DNS {
		ip, err := netip.ParseAddr(d)
		if err != nil {
			return fmt.Errorf("dns %q: not an IP address", d)
		}
		host.DNS = append(host.DNS, ip)
	}
	if len(r.Tmpfs) > 0 {
		host.Tmpfs = map[string]string{}
		for _, t := range r.Tmpfs {
			path, opts, _ := strings.Cut(t, ":")
			host.Tmpfs[path] = opts
		}
	}
	if l := r.Logging; l != nil {
		host.LogConfig = container.LogConfig{Type: l.Driver, Config: l.Options}
	}

	res := &host.Resources
	res.CgroupParent = r.CgroupParent
	res.MemoryReservation = r.MemReservation
	res.MemorySwap = r.MemSwapLimit
	if r.MemSwappiness != 0 {
		v := r.MemSwappiness
		res.MemorySwappiness = &v
	}
	// Compose always sends it, so the inspected HostConfig has false, not null.
	oomKillDisable := r.OomKillDisable
	res.OomKillDisable = &oomKillDisable
	if r.PidsLimit != 0 {
		v := r.PidsLimit
		res.PidsLimit = &v
	}
	res.CPUCount = r.CPUCount
	res.CPUPercent = int64(r.CPUPercent)
	res.CPUPeriod = r.CPUPeriod
	res.CPUQuota = r.CPUQuota
	res.CPURealtimePeriod = r.CPURTPeriod
	res.CPURealtimeRuntime = r.CPURTRuntime
	res.CPUShares = r.CPUShares
	res.CpusetCpus = r.CPUSet
	res.DeviceCgroupRules = r.DeviceCgroupRules
	var cdi []string
	for _, d := range r.Devices {
		if d.IsCDI() {
			cdi = append(cdi, d.Source)
			continue
		}
		perms := d.Permissions
		if perms == "" {
			perms = "rwm"
		}
		target := d.Target
		if target == "" {
			target = d.Source
		}
		res.Devices = append(res.Devices, container.DeviceMapping{PathOnHost: d.Source, PathInContainer: target, CgroupPermissions: perms})
	}
	if len(cdi) > 0 {
		res.DeviceRequests = append(res.DeviceRequests, container.DeviceRequest{Driver: "cdi", DeviceIDs: cdi})
	}
	names := make([]string, 0, len(r.Ulimits))
	for name := range r.Ulimits {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		u := r.Ulimits[name]
		res.Ulimits = append(res.Ulimits, &container.Ulimit{Name: name, Soft: u.Soft, Hard: u.Hard})
	}
	if b := r.Blkio; b != nil {
		res.BlkioWeight = b.Weight
		for _, w := range b.WeightDevice {
			res.BlkioWeightDevice = append(res.BlkioWeightDevice, &blkiodev.WeightDevice{Path: w.Path, Weight: w.Weight})
		}
		res.BlkioDeviceReadBps = throttleDevices(b.DeviceReadBps)
		res.BlkioDeviceReadIOps = throttleDevices(b.DeviceReadIOps)
		res.BlkioDeviceWriteBps = throttleDevices(b.DeviceWriteBps)
		res.BlkioDeviceWriteIOps = throttleDevices(b.DeviceWriteIOps)
	}
	return nil
}

func throttleDevices(in []spec.ThrottleDevice) []*blkiodev.ThrottleDevice {
	var out []*blkiodev.ThrottleDevice
	for _, t := range in {
		out = append(out, &blkiodev.ThrottleDevice{Path: t.Path, Rate: uint64(t.Rate)})
	}
	return out
}

// apiSocketCredentials is the Docker config that use_api_socket gives a
// container: the user's registry credentials, helpers resolved, as
// Docker Compose writes it.
func apiSocketCredentials() ([]byte, error) {
	cfg, err := config.Load(dockerConfigDir())
	if err != nil {
		return nil, fmt.Errorf("load docker config: %w", err)
	}
	creds, err := cfg.GetAllCredentials()
	if err != nil {
		return nil, fmt.Errorf("resolve registry credentials: %w", err)
	}
	var buf bytes.Buffer
	if err := (&configfile.ConfigFile{AuthConfigs: creds}).SaveToWriter(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// createWithMacAddress creates a container whose Config carries a MAC
// address. API 1.41 takes the address only there (per-network addresses
// came with 1.44), and the client's Config type no longer has the field,
// so the request is posted as JSON with it added.
func (c *Client) createWithMacAddress(ctx context.Context, opts client.ContainerCreateOptions, mac string) (string, []string, error) {
	body, err := json.Marshal(container.CreateRequest{Config: opts.Config, HostConfig: opts.HostConfig, NetworkingConfig: opts.NetworkingConfig})
	if err != nil {
		return "", nil, err
	}
	var req map[string]any
	if err := json.Unmarshal(body, &req); err != nil {
		return "", nil, err
	}
	req["MacAddress"] = mac
	if body, err = json.Marshal(req); err != nil {
		return "", nil, err
	}
	httpc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return c.api.Dialer()(ctx)
	}}}
	u := "http://docker/v" + c.api.ClientVersion() + "/containers/create?" + url.Values{"name": {opts.Name}}.Encode()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return "", nil, err
	}
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := httpc.Do(hreq)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		var msg struct{ Message string }
		_ = json.Unmarshal(data, &msg)
		err := fmt.Errorf("%s", msg.Message)
		switch resp.StatusCode {
		case http.StatusNotFound:
			err = fmt.Errorf("%w: %s", engine.ErrNotFound, msg.Message)
		case http.StatusConflict:
			err = fmt.Errorf("%w: %s", engine.ErrConflict, msg.Message)
		}
		return "", nil, err
	}
	var created container.CreateResponse
	if err := json.Unmarshal(data, &created); err != nil {
		return "", nil, err
	}
	return created.ID, created.Warnings, nil
}
