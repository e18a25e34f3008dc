package mobydocker

import (
	"errors"
	"fmt"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/network"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/stack-dev/stack/engine"
)

func TestCreateOptionsMapsSpec(t *testing.T) {
	stop := 1500 * time.Millisecond
	spec := engine.ContainerSpec{
		Name:         "p-web-1",
		Image:        "img:1",
		Cmd:          []string{"serve"},
		ExposedPorts: []string{"9090/tcp"},
		Ports:        []engine.PortBinding{{HostIP: "127.0.0.1", HostPort: "8080", ContainerPort: 80}},
		Networks: []engine.NetworkAttachment{
			{Network: "p_front", Aliases: []string{"web"}, IPv4Address: "10.5.0.7"},
			{Network: "p_back"},
		},
		StopTimeout:   &stop,
		RestartPolicy: "on-failure",
		RestartMax:    3,
		Platform:      "linux/arm64/v8",
		Mounts:        []engine.Mount{{Type: "tmpfs", Target: "/tmp", TmpfsSize: 1 << 20}},
	}
	opts, err := createOptions(spec)
	if err != nil {
		t.Fatal(err)
	}
	p80 := network.MustParsePort("80/tcp")
	checks := []struct {
		what string
		ok   bool
	}{
		{"name", opts.Name == "p-web-1"},
		{"stop timeout rounded up to 2s", opts.Config.StopTimeout != nil && *opts.Config.StopTimeout == 2},
		{"exposed 9090 and the published 80", len(opts.Config.ExposedPorts) == 2},
		{"binding of 80", len(opts.HostConfig.PortBindings[p80]) == 1 && opts.HostConfig.PortBindings[p80][0].HostPort == "8080" && opts.HostConfig.PortBindings[p80][0].HostIP.String() == "127.0.0.1"},
		{"only the first network at create", len(opts.NetworkingConfig.EndpointsConfig) == 1 && opts.NetworkingConfig.EndpointsConfig["p_front"] != nil},
		{"network mode is the first network", opts.HostConfig.NetworkMode == "p_front"},
		{"ipv4 address", opts.NetworkingConfig.EndpointsConfig["p_front"].IPAMConfig.IPv4Address.String() == "10.5.0.7"},
		{"restart policy", opts.HostConfig.RestartPolicy.Name == "on-failure" && opts.HostConfig.RestartPolicy.MaximumRetryCount == 3},
		{"platform", opts.Platform != nil && opts.Platform.Architecture == "arm64" && opts.Platform.Variant == "v8"},
		{"tmpfs size", opts.HostConfig.Mounts[0].TmpfsOptions.SizeBytes == 1<<20},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: not mapped; options %+v", c.what, opts)
		}
	}
}

func TestCreateOptionsRejectsBadInput(t *testing.T) {
	cases := map[string]engine.ContainerSpec{
		"bad exposed port": {Image: "i", ExposedPorts: []string{"http"}},
		"bad host ip":      {Image: "i", Ports: []engine.PortBinding{{HostIP: "localhost", ContainerPort: 80}}},
		"bad ipv4":         {Image: "i", Networks: []engine.NetworkAttachment{{Network: "n", IPv4Address: "10.0.0"}}},
		"bad platform":     {Image: "i", Platform: "linux"},
	}
	for name, spec := range cases {
		if _, err := createOptions(spec); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestAPIErrMapsKinds(t *testing.T) {
	cases := []struct {
		err  error
		want error // nil: neither kind
	}{
		{cerrdefs.ErrNotFound.WithMessage("no such container"), engine.ErrNotFound},
		{cerrdefs.ErrConflict.WithMessage("name in use"), engine.ErrConflict},
		{errors.New("boom"), nil},
	}
	for _, c := range cases {
		got := apiErr("do thing", c.err)
		if !errors.Is(got, c.err) {
			t.Errorf("apiErr(%v) = %v, lost the cause", c.err, got)
		}
		if errors.Is(got, engine.ErrNotFound) != (c.want == engine.ErrNotFound) ||
			errors.Is(got, engine.ErrConflict) != (c.want == engine.ErrConflict) {
			t.Errorf("apiErr(%v) = %v, want kind %v", c.err, got, c.want)
		}
	}
	if apiErr("x", nil) != nil {
		t.Error("apiErr(nil) is not nil")
	}
}

func TestTraceLogsEveryCallAtDebug(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	c := &Client{log: zap.New(core)}
	func() (err error) {
		defer c.trace("ContainerStart", "abc")(&err)
		return fmt.Errorf("start: %w", engine.ErrNotFound)
	}()
	entries := logs.All()
	if len(entries) != 1 {
		t.Fatalf("%d log entries, want 1", len(entries))
	}
	fields := entries[0].ContextMap()
	if entries[0].Level != zap.DebugLevel || fields["method"] != "ContainerStart" || fields["object"] != "abc" || fields["error"] == nil || fields["duration"] == nil {
		t.Errorf("logged %v %v, want debug with method, object, duration and error", entries[0].Level, fields)
	}
}
