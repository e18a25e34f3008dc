package spec

import (
	"reflect"
	"testing"
	"time"
)

func TestParsePortSpec(t *testing.T) {
	tests := []struct {
		spec    string
		want    []Port
		wantErr bool
	}{
		{spec: "9090", want: []Port{{ContainerPort: 9090, Protocol: "tcp"}}},
		{spec: "8080:80", want: []Port{{HostPort: "8080", ContainerPort: 80, Protocol: "tcp"}}},
		{spec: "127.0.0.1:8080:8080", want: []Port{{HostIP: "127.0.0.1", HostPort: "8080", ContainerPort: 8080, Protocol: "tcp"}}},
		{spec: "127.0.0.1::80", want: []Port{{HostIP: "127.0.0.1", ContainerPort: 80, Protocol: "tcp"}}},
		{spec: "[::1]:8080:80", want: []Port{{HostIP: "::1", HostPort: "8080", ContainerPort: 80, Protocol: "tcp"}}},
		{spec: "53:53/udp", want: []Port{{HostPort: "53", ContainerPort: 53, Protocol: "udp"}}},
		{spec: "8000-8001:8000-8001/udp", want: []Port{
			{HostPort: "8000", ContainerPort: 8000, Protocol: "udp"},
			{HostPort: "8001", ContainerPort: 8001, Protocol: "udp"},
		}},
		{spec: "9000-9001", want: []Port{{ContainerPort: 9000, Protocol: "tcp"}, {ContainerPort: 9001, Protocol: "tcp"}}},
		{spec: "8080-8090:80", want: []Port{{HostPort: "8080-8090", ContainerPort: 80, Protocol: "tcp"}}},
		{spec: "", wantErr: true},
		{spec: "http", wantErr: true},
		{spec: "0", wantErr: true},
		{spec: "65536", wantErr: true},
		{spec: "80/icmp", wantErr: true},
		{spec: "localhost:8080:80", wantErr: true},
		{spec: "8002-8001:80", wantErr: true},
		{spec: "8000-8002:9000-9001", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := parsePortSpec(tt.spec)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parsePortSpec(%q) error = %v, wantErr %v", tt.spec, err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parsePortSpec(%q) = %+v, want %+v", tt.spec, got, tt.want)
			}
		})
	}
}

func TestParseVolumeSpec(t *testing.T) {
	env := map[string]string{"HOME": "/home/dev"}
	tests := []struct {
		spec    string
		want    Mount
		wantErr bool
	}{
		{spec: "/cache", want: Mount{Type: MountVolume, Target: "/cache"}},
		{spec: "models:/models:ro", want: Mount{Type: MountVolume, Source: "models", Target: "/models", ReadOnly: true}},
		{spec: "models:/models:rw", want: Mount{Type: MountVolume, Source: "models", Target: "/models"}},
		{spec: "./data:/data", want: Mount{Type: MountBind, Source: "/stack/data", Target: "/data", CreateHostPath: true}},
		{spec: "../shared:/shared", want: Mount{Type: MountBind, Source: "/shared", Target: "/shared", CreateHostPath: true}},
		{spec: "/var/run/docker.sock:/var/run/docker.sock:ro", want: Mount{Type: MountBind, Source: "/var/run/docker.sock", Target: "/var/run/docker.sock", ReadOnly: true, CreateHostPath: true}},
		{spec: "~/.cache:/root/.cache", want: Mount{Type: MountBind, Source: "/home/dev/.cache", Target: "/root/.cache", CreateHostPath: true}},
		{spec: ".:/src", want: Mount{Type: MountBind, Source: "/stack", Target: "/src", CreateHostPath: true}},
		{spec: "data:relative", wantErr: true},
		{spec: ":/data", wantErr: true},
		{spec: "data:/data:z", wantErr: true},
		{spec: "a:b:c:d", wantErr: true},
		{spec: "my volume:/data", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := parseVolumeSpec(tt.spec, "/stack", env)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseVolumeSpec(%q) error = %v, wantErr %v", tt.spec, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseVolumeSpec(%q) = %+v, want %+v", tt.spec, got, tt.want)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{in: "1024", want: 1024},
		{in: "512m", want: 512 << 20},
		{in: "1g", want: 1 << 30},
		{in: "1.5g", want: 3 << 29},
		{in: "64MB", want: 64 << 20},
		{in: "2GiB", want: 2 << 30},
		{in: "16k", want: 16 << 10},
		{in: "100b", want: 100},
		{in: "lots", wantErr: true},
		{in: "", wantErr: true},
		{in: "-1m", wantErr: true},
		{in: "nan", wantErr: true},
		{in: "NaN", wantErr: true},
		{in: "inf", wantErr: true},
		{in: "-Inf", wantErr: true},
		{in: "1e3", wantErr: true},
		{in: "0x10", wantErr: true},
		{in: "1ib", wantErr: true},
		{in: "99999999999g", wantErr: true},
		{in: "8388607t", want: 8388607 << 40},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseSize(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseSize(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: "10s", want: 10 * time.Second},
		{in: "1m30s", want: 90 * time.Second},
		{in: "500ms", want: 500 * time.Millisecond},
		{in: "30", want: 30 * time.Second},
		{in: "1.5", want: 1500 * time.Millisecond},
		{in: "0", want: 0},
		{in: "5 seconds", wantErr: true},
		{in: "-5s", wantErr: true},
		{in: "-5", wantErr: true},
		{in: "99999999999", wantErr: true},
		{in: "9999999999999999999999", wantErr: true},
		{in: "3000000h", wantErr: true},
		{in: "nan", wantErr: true},
		{in: "inf", wantErr: true},
		{in: "1e3", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseDuration(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseDuration(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
