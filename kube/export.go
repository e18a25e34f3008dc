// Package kube exports a stack ([spec.Project]) to Kubernetes manifests built
// from the Kubernetes API's own Go types, keeping the stack's behaviour:
// dependency order and health gates as init containers, one-shot jobs as
// Jobs, healthchecks as readiness probes. See docs/kubernetes.md for the
// mapping; [Export] builds the objects, [Write] serialises them and
// [DryRunner] checks them against an API server.
package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
)

// DefaultWaitImage runs the init containers that wait for a dependency: it
// needs bash (for /dev/tcp) and kubectl (for `kubectl wait` on a Job).
const DefaultWaitImage = "docker.io/bitnami/kubectl:1.32"

// DefaultVolumeSize is the storage a PersistentVolumeClaim requests.
const DefaultVolumeSize = "1Gi"

// Service types for published ports.
const (
	PublishClusterIP    = "clusterip"
	PublishNodePort     = "nodeport"
	PublishLoadBalancer = "loadbalancer"
)

// Labels the export puts on what it creates.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelPartOf    = "app.kubernetes.io/part-of"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// LabelNetworkPrefix + network key marks the pods attached to a network.
	LabelNetworkPrefix = "stack.dev/network."
	// AnnotationPublished lists the host ports a service publishes under Docker.
	AnnotationPublished = "stack.dev/published"
	waitAccount         = "stack-wait"
)

// ImageInspector reads a local image; engine.Docker is one.
type ImageInspector interface {
	ImageInspect(ctx context.Context, ref string) (engine.Image, error)
}

// Options tune an export.
type Options struct {
	// Namespace puts every object in it and adds the Namespace; "" leaves
	// the namespace to kubectl's context.
	Namespace string
	// Services limits the export to these services and what they depend
	// on; empty means all.
	Services []string
	// WaitImage runs the dependency waits; default DefaultWaitImage.
	WaitImage string
	// Publish is the Service type of services with published ports:
	// PublishClusterIP (default), PublishNodePort or PublishLoadBalancer.
	Publish string
	// HostPath maps bind mounts to hostPath volumes instead of refusing them.
	HostPath bool
	// Drop are key paths (with * wildcards) that may be left out when
	// Kubernetes has no counterpart for them.
	Drop []string
	// VolumeSize is the storage each claim requests; default DefaultVolumeSize.
	VolumeSize string
	// Images, when set, reads the ports a local image EXPOSEs. An image
	// that is not there counts with the EXPOSEs of its Dockerfile.
	Images ImageInspector
	// ReadFile reads secret and config files and Dockerfiles; default
	// os.ReadFile.
	ReadFile func(path string) ([]byte, error)
	// Getenv reads the variable of an environment secret; default os.Getenv.
	Getenv func(string) string
}

// Object is one manifest.
type Object interface {
	runtime.Object
	metav1.Object
}

// Manifests are the exported objects in the order they apply.
type Manifests struct {
	Objects []Object
	// Notes tell the user what the export changed or dropped.
	Notes []string
}

type exporter struct {
	ctx      context.Context
	p        *spec.Project
	opts     Options
	names    []string // exported services, sorted
	kinds    map[string]string
	ports    map[string][]corev1.ContainerPort // by service
	volUsers map[string]int                    // named volume key -> pods that mount it as a shared claim
	networks bool                              // NetworkPolicies for the stack's networks

	refusals  []Refusal
	notes     []string
	usedDrops map[string]bool // --drop patterns that matched a refused key

	namespace                                                 []Object
	rbac, configs, secrets, claims, svcs, policies, workloads []Object
	needsWaitAccount                                          bool
}

// Export turns p into manifests. A key Kubernetes has no counterpart for
// is a *RefusedError naming each such key, unless Options.Drop allows it.
func Export(ctx context.Context, p *spec.Project, opts Options) (*Manifests, error) {
	if opts.WaitImage == "" {
		opts.WaitImage = DefaultWaitImage
	}
	if opts.VolumeSize == "" {
		opts.VolumeSize = DefaultVolumeSize
	}
	switch opts.Publish {
	case "":
		opts.Publish = PublishClusterIP
	case PublishClusterIP, PublishNodePort, PublishLoadBalancer:
	default:
		return nil, fmt.Errorf("publish %q: want %s, %s or %s", opts.Publish, PublishClusterIP, PublishNodePort, PublishLoadBalancer)
	}
	if opts.Namespace != "" {
		if errs := validation.IsDNS1123Label(opts.Namespace); len(errs) > 0 {
			return nil, fmt.Errorf("namespace %q: %s", opts.Namespace, strings.Join(errs, "; "))
		}
	}
	names, err := selectServices(p, opts.Services)
	if err != nil {
		return nil, err
	}
	x := &exporter{ctx: ctx, p: p, opts: opts, names: names, usedDrops: map[string]bool{},
		kinds: map[string]string{}, ports: map[string][]corev1.ContainerPort{}, volUsers: map[string]int{}}
	x.plan()
	if opts.Namespace != "" {
		ns := &corev1.Namespace{TypeMeta: typeMeta("v1", "Namespace"), ObjectMeta: metav1.ObjectMeta{Name: opts.Namespace, Labels: x.projectLabels()}}
		x.namespace = append(x.namespace, ns)
	}
	x.exportFiles()
	x.exportVolumes()
	x.exportNetworks()
	for _, name := range names {
		x.exportService(p.Services[name])
	}
	if x.needsWaitAccount {
		x.exportWaitAccount()
	}
	for _, p := range x.opts.Drop {
		if !x.usedDrops[p] {
			// A typo in a key path must not pass for a dropped key.
			x.note("--drop %s matched no refused key; nothing was dropped by it", p)
		}
	}
	if len(x.refusals) > 0 {
		sortRefusals(x.refusals)
		return nil, &RefusedError{Refusals: x.refusals}
	}
	m := &Manifests{Notes: x.notes}
	for _, group := range [][]Object{x.namespace, x.rbac, x.configs, x.secrets, x.claims, x.svcs, x.policies, x.workloads} {
		m.Objects = append(m.Objects, group...)
	}
	if x.opts.Namespace != "" {
		for _, o := range m.Objects[1:] {
			o.SetNamespace(x.opts.Namespace)
		}
	}
	return m, nil
}

// selectServices returns the named services and everything they depend on,
// or all services when none are named.
func selectServices(p *spec.Project, want []string) ([]string, error) {
	if len(want) == 0 {
		return p.ServiceNames(), nil
	}
	seen := map[string]bool{}
	var visit func(name string) error
	visit = func(name string) error {
		if seen[name] {
			return nil
		}
		s := p.Services[name]
		if s == nil {
			return fmt.Errorf("no such service: %s", name)
		}
		seen[name] = true
		for dep := range s.DependsOn {
			if p.Services[dep] != nil {
				if err := visit(dep); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, name := range want {
		if err := visit(name); err != nil {
			return nil, err
		}
	}
	names := make([]string, 0, len(seen))
	for name := range seen {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// Workload kinds.
const (
	kindDeployment  = "Deployment"
	kindStatefulSet = "StatefulSet"
	kindJob         = "Job"
)

// plan decides each service's workload kind, ports and the sharing of
// named volumes, which the objects refer to one another by.
func (x *exporter) plan() {
	completed := map[string]bool{}
	for _, name := range x.names {
		for dep, d := range x.p.Services[name].DependsOn {
			if d.Condition == spec.ConditionCompleted {
				completed[dep] = true
			}
		}
	}
	for _, name := range x.names {
		s := x.p.Services[name]
		switch {
		case completed[name]:
			x.kinds[name] = kindJob
		case s.Replicas > 1 && len(x.ownVolumes(s)) > 0:
			x.kinds[name] = kindStatefulSet
		default:
			x.kinds[name] = kindDeployment
		}
		x.ports[name] = x.containerPorts(s)
		own := map[string]bool{}
		if x.kinds[name] == kindStatefulSet {
			for _, v := range x.ownVolumes(s) {
				own[v] = true
			}
		}
		for _, m := range s.Volumes {
			if m.Type == spec.MountVolume && m.Source != "" && !own[m.Source] {
				x.volUsers[m.Source] += max(s.Replicas, 1)
			}
		}
	}
}

// ownVolumes are the named volumes s mounts read-write that no other
// service mounts: with replicas, each replica gets its own copy.
func (x *exporter) ownVolumes(s *spec.Service) []string {
	var own []string
	for _, m := range s.Volumes {
		if m.Type != spec.MountVolume || m.Source == "" || m.ReadOnly {
			continue
		}
		if v := x.p.Volumes[m.Source]; v != nil && v.External {
			continue
		}
		shared := false
		for _, other := range x.p.Services {
			if other.Name == s.Name {
				continue
			}
			for _, om := range other.Volumes {
				if om.Type == spec.MountVolume && om.Source == m.Source {
					shared = true
				}
			}
		}
		if !shared && !slices.Contains(own, m.Source) {
			own = append(own, m.Source)
		}
	}
	return own
}

// containerPorts are the ports s listens on: published, exposed, and those
// its local image EXPOSEs, as services reach each other on them under Docker.
func (x *exporter) containerPorts(s *spec.Service) []corev1.ContainerPort {
	var ports []corev1.ContainerPort
	add := func(port int32, proto string) {
		p := corev1.ContainerPort{ContainerPort: port, Protocol: protocol(proto)}
		for _, have := range ports {
			if have.ContainerPort == p.ContainerPort && have.Protocol == p.Protocol {
				return
			}
		}
		ports = append(ports, p)
	}
	for i, p := range s.Ports {
		if !validProtocol(p.Protocol) {
			x.refuse(s, fmt.Sprintf("ports[%d]", i), "protocol %q is not one Kubernetes serves (tcp, udp, sctp)", p.Protocol)
			continue
		}
		add(int32(p.ContainerPort), p.Protocol)
	}
	for i, e := range s.Expose {
		port, proto, err := parsePort(e)
		if err != nil {
			x.refuse(s, fmt.Sprintf("expose[%d]", i), "%v", err)
			continue
		}
		add(port, proto)
	}
	exposed, known := x.imageExposes(s)
	if !known {
		exposed = dockerfileExposes(s.Build, x.opts.ReadFile)
	}
	for _, e := range exposed {
		if port, proto, err := parsePort(e); err == nil {
			add(port, proto)
		}
	}
	sort.SliceStable(ports, func(i, j int) bool {
		if ports[i].ContainerPort != ports[j].ContainerPort {
			return ports[i].ContainerPort < ports[j].ContainerPort
		}
		return ports[i].Protocol < ports[j].Protocol
	})
	return ports
}

// imageExposes asks the engine for the ports the local image EXPOSEs;
// known is false when the image is not there (or no engine answers).
func (x *exporter) imageExposes(s *spec.Service) (ports []string, known bool) {
	if x.opts.Images == nil || s.Image == "" {
		return nil, false
	}
	img, err := x.opts.Images.ImageInspect(x.ctx, s.Image)
	switch {
	case err == nil:
		return img.ExposedPorts, true
	case errors.Is(err, engine.ErrNotFound):
		// Not built or pulled here: its Dockerfile tells, if it has one.
	default:
		// No engine to ask: say so once.
		x.note("ports that local images EXPOSE are not known (%v): the stack's ports and the Dockerfiles' EXPOSE count", err)
		x.opts.Images = nil
	}
	return nil, false
}

func parsePort(s string) (int32, string, error) {
	num, proto, _ := strings.Cut(s, "/")
	var port int32
	if _, err := fmt.Sscanf(num, "%d", &port); err != nil || fmt.Sprint(port) != num || port < 1 || port > 65535 {
		return 0, "", fmt.Errorf("port %q: want a number from 1 to 65535, optionally /tcp, /udp or /sctp", s)
	}
	if !validProtocol(proto) {
		return 0, "", fmt.Errorf("port %q: protocol %q is not one Kubernetes serves (tcp, udp, sctp)", s, proto)
	}
	return port, proto, nil
}

func validProtocol(p string) bool {
	switch strings.ToLower(p) {
	case "", "tcp", "udp", "sctp":
		return true
	}
	return false
}

func protocol(p string) corev1.Protocol {
	switch strings.ToLower(p) {
	case "udp":
		return corev1.ProtocolUDP
	case "sctp":
		return corev1.ProtocolSCTP
	}
	return corev1.ProtocolTCP
}

func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

func (x *exporter) projectLabels() map[string]string {
	l := map[string]string{LabelManagedBy: "stack"}
	if errs := validation.IsValidLabelValue(x.p.Name); len(errs) == 0 && x.p.Name != "" {
		l[LabelPartOf] = x.p.Name
	}
	return l
}

// selector are the labels that pick a service's pods.
func (x *exporter) selector(name string) map[string]string {
	l := map[string]string{LabelName: name}
	if v, ok := x.projectLabels()[LabelPartOf]; ok {
		l[LabelPartOf] = v
	}
	return l
}

// objectName turns a stack key (volume, secret, config) into a Kubernetes
// object name: lowercase, _ and . become -.
func objectName(key string) string {
	n := strings.ToLower(key)
	n = strings.NewReplacer("_", "-", ".", "-").Replace(n)
	return strings.Trim(n, "-")
}
