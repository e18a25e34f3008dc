package kube

import (
	"fmt"
	"os"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/stack-dev/stack/spec"
)

// exportFiles adds a Secret per secret and a ConfigMap per config that the
// exported services mount; external ones must exist in the cluster.
func (x *exporter) exportFiles() {
	used := map[string]bool{}
	for _, name := range x.names {
		s := x.p.Services[name]
		for _, r := range s.Secrets {
			used["secret/"+r.Source] = true
		}
		for _, r := range s.Configs {
			used["config/"+r.Source] = true
		}
	}
	readFile := x.opts.ReadFile
	if readFile == nil {
		readFile = os.ReadFile
	}
	getenv := x.opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	value := func(keyPath, file, env, content string) ([]byte, bool) {
		switch {
		case file != "":
			b, err := readFile(file)
			if err != nil {
				x.refuseAt(keyPath+".file", spec.Pos{}, "%v", err)
				return nil, false
			}
			return b, true
		case env != "":
			v := getenv(env)
			if v == "" {
				x.note("%s: the environment variable %s is empty here, so is the exported value", keyPath, env)
			}
			return []byte(v), true
		}
		return []byte(content), true
	}
	for _, key := range sortedKeys(x.p.Secrets) {
		sec := x.p.Secrets[key]
		if !used["secret/"+key] || sec.External {
			continue
		}
		b, ok := value("secrets."+key, sec.File, sec.Environment, sec.Content)
		if !ok {
			continue
		}
		x.secrets = append(x.secrets, &corev1.Secret{
			TypeMeta:   typeMeta("v1", "Secret"),
			ObjectMeta: metav1.ObjectMeta{Name: x.fileObjectName("secret", key), Labels: x.projectLabels()},
			Type:       corev1.SecretTypeOpaque,
			Data:       map[string][]byte{dataKey(key): b},
		})
	}
	for _, key := range sortedKeys(x.p.Configs) {
		cfg := x.p.Configs[key]
		if !used["config/"+key] || cfg.External {
			continue
		}
		b, ok := value("configs."+key, cfg.File, cfg.Environment, cfg.Content)
		if !ok {
			continue
		}
		cm := &corev1.ConfigMap{
			TypeMeta:   typeMeta("v1", "ConfigMap"),
			ObjectMeta: metav1.ObjectMeta{Name: x.fileObjectName("config", key), Labels: x.projectLabels()},
		}
		if isText(b) {
			cm.Data = map[string]string{dataKey(key): string(b)}
		} else {
			cm.BinaryData = map[string][]byte{dataKey(key): b}
		}
		x.configs = append(x.configs, cm)
	}
}

func isText(b []byte) bool {
	return !strings.ContainsRune(string(b), 0) && strings.ToValidUTF8(string(b), "\uFFFD") == string(b)
}

// fileObjectName is the Secret or ConfigMap of a stack secret or config.
func (x *exporter) fileObjectName(kind, key string) string {
	if kind == "secret" {
		if s := x.p.Secrets[key]; s != nil && s.External && s.Name != "" {
			return s.Name
		}
	} else if c := x.p.Configs[key]; c != nil && c.External && c.Name != "" {
		return c.Name
	}
	return objectName(key)
}

// claimName is the PersistentVolumeClaim of a named volume.
func (x *exporter) claimName(key string) string {
	if v := x.p.Volumes[key]; v != nil && v.External && v.Name != "" {
		return v.Name
	}
	return objectName(key)
}

// exportVolumes adds a claim per named volume the exported pods share.
func (x *exporter) exportVolumes() {
	for _, key := range sortedKeys(x.volUsers) {
		v := x.p.Volumes[key]
		if v == nil || v.External {
			continue
		}
		if v.Driver != "" && v.Driver != "local" {
			x.refuseAt("volumes."+key+".driver", spec.Pos{}, "volume driver %q: a claim gets its storage from the cluster's storage class", v.Driver)
			continue
		}
		if len(v.DriverOpts) > 0 {
			x.refuseAt("volumes."+key+".driver_opts", spec.Pos{}, "a claim gets its storage from the cluster's storage class, not from driver options")
			continue
		}
		pvc := x.claim(x.claimName(key), v, x.volUsers[key])
		x.claims = append(x.claims, &pvc)
	}
}

// claim is a claim of the default size; pods on several nodes need
// ReadWriteMany to share it as containers share a Docker volume.
func (x *exporter) claim(name string, v *spec.Volume, users int) corev1.PersistentVolumeClaim {
	mode := corev1.ReadWriteOnce
	if users > 1 {
		mode = corev1.ReadWriteMany
	}
	size, err := resource.ParseQuantity(x.opts.VolumeSize)
	if err != nil {
		x.refuseAt("volume size", spec.Pos{}, "%q: %v", x.opts.VolumeSize, err)
	}
	labels := x.projectLabels()
	if v != nil {
		for k, val := range v.Labels {
			if len(validation.IsQualifiedName(k)) == 0 && len(validation.IsValidLabelValue(val)) == 0 {
				labels[k] = val
			}
		}
	}
	return corev1.PersistentVolumeClaim{
		TypeMeta:   typeMeta("v1", "PersistentVolumeClaim"),
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{mode},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: size}},
		},
	}
}

// serviceNetworks are the networks s is attached to.
func (x *exporter) serviceNetworks(s *spec.Service) []string {
	if len(s.Networks) == 0 {
		return []string{"default"}
	}
	return sortedKeys(s.Networks)
}

// exportNetworks keeps Docker's network isolation: when the stack has
// networks of its own, a NetworkPolicy per network lets in only traffic
// from pods on that network (pods on several networks are let in by each).
func (x *exporter) exportNetworks() {
	used := map[string]bool{}
	for _, name := range x.names {
		s := x.p.Services[name]
		for _, n := range x.serviceNetworks(s) {
			used[n] = true
			sn := s.Networks[n]
			if sn == nil {
				continue
			}
			if sn.IPv4Address != "" {
				x.refuse(s, "networks."+n+".ipv4_address", "a pod's address is given by the cluster")
			}
		}
	}
	for _, key := range sortedKeys(used) {
		if n := x.p.Networks[key]; n != nil && n.Internal {
			x.note("networks.%s: internal: pods on it can still reach outside the cluster (egress is not limited)", key)
		}
	}
	if len(used) < 2 {
		return // one network: every pod reaches every other, as in a cluster
	}
	x.networks = true
	for _, key := range sortedKeys(used) {
		label := LabelNetworkPrefix + objectName(key)
		sel := metav1.LabelSelector{MatchLabels: map[string]string{label: "true"}}
		x.policies = append(x.policies, &networkingv1.NetworkPolicy{
			TypeMeta:   typeMeta("networking.k8s.io/v1", "NetworkPolicy"),
			ObjectMeta: metav1.ObjectMeta{Name: "network-" + objectName(key), Labels: x.projectLabels()},
			Spec: networkingv1.NetworkPolicySpec{
				PodSelector: sel,
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
				Ingress:     []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{PodSelector: &sel}}}},
			},
		})
	}
	// Published ports are reachable from outside, as on the Docker host.
	for _, name := range x.names {
		s := x.p.Services[name]
		if len(s.Ports) == 0 {
			continue
		}
		var ports []networkingv1.NetworkPolicyPort
		for _, p := range s.Ports {
			proto := protocol(p.Protocol)
			ports = append(ports, networkingv1.NetworkPolicyPort{Protocol: &proto, Port: ptrTo(intstr.FromInt32(int32(p.ContainerPort)))})
		}
		x.policies = append(x.policies, &networkingv1.NetworkPolicy{
			TypeMeta:   typeMeta("networking.k8s.io/v1", "NetworkPolicy"),
			ObjectMeta: metav1.ObjectMeta{Name: "published-" + name, Labels: x.projectLabels()},
			Spec: networkingv1.NetworkPolicySpec{
				PodSelector: metav1.LabelSelector{MatchLabels: x.selector(name)},
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
				Ingress:     []networkingv1.NetworkPolicyIngressRule{{Ports: ports}},
			},
		})
	}
}

func ptrTo[T any](v T) *T { return &v }

// exportServiceObjects adds the Service named as the stack's service, so
// names resolve as under Docker, and one per network alias.
func (x *exporter) exportServiceObjects(s *spec.Service, labels map[string]string) {
	ports := x.ports[s.Name]
	if len(ports) == 0 {
		return
	}
	svc := &corev1.Service{
		TypeMeta:   typeMeta("v1", "Service"),
		ObjectMeta: metav1.ObjectMeta{Name: s.Name, Labels: labels},
		Spec:       corev1.ServiceSpec{Selector: x.selector(s.Name)},
	}
	for _, p := range ports {
		svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{
			Name:       fmt.Sprintf("%s-%d", strings.ToLower(string(p.Protocol)), p.ContainerPort),
			Protocol:   p.Protocol,
			Port:       p.ContainerPort,
			TargetPort: intstr.FromInt32(p.ContainerPort),
		})
	}
	if len(s.Ports) > 0 {
		var published []string
		for _, p := range s.Ports {
			published = append(published, p.String())
		}
		svc.Annotations = map[string]string{AnnotationPublished: strings.Join(published, ",")}
		switch x.opts.Publish {
		case PublishNodePort:
			svc.Spec.Type = corev1.ServiceTypeNodePort
			x.note("services.%s.ports: published as a NodePort Service: the cluster picks the node ports (%s under Docker)", s.Name, strings.Join(published, ", "))
		case PublishLoadBalancer:
			svc.Spec.Type = corev1.ServiceTypeLoadBalancer
			x.note("services.%s.ports: published through a LoadBalancer Service on the container ports (%s under Docker)", s.Name, strings.Join(published, ", "))
		default:
			x.note("services.%s.ports: reachable inside the cluster only (%s under Docker); --publish nodeport or loadbalancer exposes it", s.Name, strings.Join(published, ", "))
		}
	}
	x.svcs = append(x.svcs, svc)
	for _, n := range sortedKeys(s.Networks) {
		for _, alias := range s.Networks[n].Aliases {
			if alias == s.Name {
				continue
			}
			if errs := validation.IsDNS1035Label(alias); len(errs) > 0 {
				x.refuse(s, "networks."+n+".aliases", "alias %q: a Service name must be a DNS label", alias)
				continue
			}
			a := svc.DeepCopy()
			a.Name = alias
			a.Spec.Type = ""
			a.Annotations = nil
			x.svcs = append(x.svcs, a)
		}
	}
}

// exportWaitAccount lets the init containers that wait for a Job read Jobs.
func (x *exporter) exportWaitAccount() {
	meta := metav1.ObjectMeta{Name: waitAccount, Labels: x.projectLabels()}
	x.rbac = append(x.rbac,
		&corev1.ServiceAccount{TypeMeta: typeMeta("v1", "ServiceAccount"), ObjectMeta: meta},
		&rbacv1.Role{
			TypeMeta:   typeMeta("rbac.authorization.k8s.io/v1", "Role"),
			ObjectMeta: meta,
			Rules: []rbacv1.PolicyRule{{
				APIGroups: []string{"batch"},
				Resources: []string{"jobs"},
				Verbs:     []string{"get", "list", "watch"},
			}},
		},
		&rbacv1.RoleBinding{
			TypeMeta:   typeMeta("rbac.authorization.k8s.io/v1", "RoleBinding"),
			ObjectMeta: meta,
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: waitAccount, Namespace: x.opts.Namespace}},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: waitAccount},
		},
	)
}
