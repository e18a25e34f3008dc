package kube

import (
	"fmt"
	"maps"
	"math"
	"net"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
)

// exportService adds the workload of s and its Services.
func (x *exporter) exportService(s *spec.Service) {
	if errs := validation.IsDNS1035Label(s.Name); len(errs) > 0 {
		x.refuse(s, "", "a Kubernetes Service name, which other services resolve, must be a DNS label (lowercase letters, digits and -, starting with a letter): rename the service")
		return
	}
	labels, annotations := x.serviceLabels(s)
	podMeta := metav1.ObjectMeta{Labels: labels, Annotations: annotations}
	if len(s.Annotations) > 0 {
		// annotations are the container's (the runtime's); the pod's are
		// the nearest a cluster has.
		podMeta.Annotations = maps.Clone(annotations)
		if podMeta.Annotations == nil {
			podMeta.Annotations = map[string]string{}
		}
		maps.Copy(podMeta.Annotations, s.Annotations)
	}
	pod, claims := x.podSpec(s)
	meta := metav1.ObjectMeta{Name: s.Name, Labels: labels, Annotations: annotations}
	tmpl := corev1.PodTemplateSpec{ObjectMeta: podMeta, Spec: pod}
	// replicas = 0 (scale: 0) runs no container, under Docker as here.
	replicas := int32(max(s.Replicas, 0))
	switch x.kinds[s.Name] {
	case kindJob:
		if s.Restart == "always" || s.Restart == "unless-stopped" {
			x.refuse(s, "restart", "%q restarts the container after it completes, yet other services wait for it to complete: a Job runs once (set restart = \"no\")", s.Restart)
		}
		if s.Replicas > 1 {
			x.refuse(s, "replicas", "a one-shot job that others wait for runs once: drop replicas")
		}
		tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
		backoff := int32(0)
		if n, ok := strings.CutPrefix(s.Restart, "on-failure"); ok {
			backoff = 6 // Kubernetes' default when Docker retries without a limit
			if n, ok := strings.CutPrefix(n, ":"); ok {
				if v, err := strconv.Atoi(n); err == nil {
					backoff = int32(v)
				}
			}
		}
		x.workloads = append(x.workloads, &batchv1.Job{
			TypeMeta:   typeMeta("batch/v1", "Job"),
			ObjectMeta: meta,
			Spec:       batchv1.JobSpec{BackoffLimit: &backoff, Template: tmpl},
		})
	case kindStatefulSet:
		tmpl.Spec.RestartPolicy = corev1.RestartPolicyAlways
		x.workloads = append(x.workloads, &appsv1.StatefulSet{
			TypeMeta:   typeMeta("apps/v1", "StatefulSet"),
			ObjectMeta: meta,
			Spec: appsv1.StatefulSetSpec{
				Replicas:             &replicas,
				ServiceName:          s.Name,
				Selector:             &metav1.LabelSelector{MatchLabels: x.selector(s.Name)},
				Template:             tmpl,
				VolumeClaimTemplates: claims,
				// Replicas start side by side, as under Docker.
				PodManagementPolicy: appsv1.ParallelPodManagement,
				UpdateStrategy:      appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType},
			},
		})
		x.note("services.%s: each of its %d replicas gets its own copy of %s (a StatefulSet)", s.Name, replicas, strings.Join(x.ownVolumes(s), ", "))
	default:
		tmpl.Spec.RestartPolicy = corev1.RestartPolicyAlways
		x.workloads = append(x.workloads, &appsv1.Deployment{
			TypeMeta:   typeMeta("apps/v1", "Deployment"),
			ObjectMeta: meta,
			Spec: appsv1.DeploymentSpec{
				Replicas: &replicas,
				Selector: &metav1.LabelSelector{MatchLabels: x.selector(s.Name)},
				Template: tmpl,
				// A new pod must be ready before an old one goes.
				Strategy: appsv1.DeploymentStrategy{
					Type: appsv1.RollingUpdateDeploymentStrategyType,
					RollingUpdate: &appsv1.RollingUpdateDeployment{
						MaxUnavailable: ptr.To(intstr.FromInt32(0)),
						MaxSurge:       ptr.To(intstr.FromInt32(1)),
					},
				},
			},
		})
	}
	x.exportServiceObjects(s, labels)
}

// serviceLabels are the service's labels that are valid Kubernetes labels,
// plus the selector; the others become annotations.
func (x *exporter) serviceLabels(s *spec.Service) (labels, annotations map[string]string) {
	labels = x.projectLabels()
	maps.Copy(labels, x.selector(s.Name))
	for _, k := range sortedKeys(s.Labels) {
		v := s.Labels[k]
		if k == LabelName || k == LabelPartOf || k == LabelManagedBy {
			x.refuse(s, "labels."+k, "the export sets this label itself")
			continue
		}
		if len(validation.IsQualifiedName(k)) == 0 && len(validation.IsValidLabelValue(v)) == 0 {
			labels[k] = v
			continue
		}
		if errs := validation.IsQualifiedName(strings.ToLower(k)); len(errs) > 0 {
			x.refuse(s, "labels."+k, "not a valid Kubernetes label or annotation key: %s", strings.Join(errs, "; "))
			continue
		}
		if annotations == nil {
			annotations = map[string]string{}
		}
		annotations[k] = v
	}
	if x.networks {
		for _, n := range x.serviceNetworks(s) {
			labels[LabelNetworkPrefix+objectName(n)] = "true"
		}
	}
	return labels, annotations
}

func (x *exporter) podSpec(s *spec.Service) (corev1.PodSpec, []corev1.PersistentVolumeClaim) {
	c := corev1.Container{
		Name:       s.Name,
		Image:      s.Image,
		Command:    escapeAll(s.Entrypoint),
		Args:       escapeAll(s.Command),
		WorkingDir: s.WorkingDir,
		Ports:      x.ports[s.Name],
		TTY:        s.Tty,
		Stdin:      s.StdinOpen,
	}
	if s.Image == "" {
		x.refuse(s, "build", "a cluster pulls images and cannot build them: give the service an image name, build and push it")
		// Dropped: the name stack builds the image under.
		c.Image = engine.ImageName(x.p, s)
	}
	if host, _, ok := strings.Cut(c.Image, "/"); ok && (strings.HasPrefix(host, "127.") || strings.HasPrefix(host, "localhost") || strings.HasPrefix(host, "[::1]")) {
		x.note("services.%s.image: %s is on a registry at %s, which the cluster's nodes reach only if they run it themselves: push it to a registry they reach", s.Name, c.Image, host)
	}
	switch s.PullPolicy {
	case "always":
		c.ImagePullPolicy = corev1.PullAlways
	case "never":
		c.ImagePullPolicy = corev1.PullNever
	case "missing", "build":
		c.ImagePullPolicy = corev1.PullIfNotPresent
	}
	for _, k := range sortedKeys(s.Environment) {
		c.Env = append(c.Env, corev1.EnvVar{Name: k, Value: escape(s.Environment[k])})
	}
	pod := corev1.PodSpec{Hostname: s.Hostname}
	if s.Hostname != "" && len(validation.IsDNS1123Label(s.Hostname)) > 0 {
		x.refuse(s, "hostname", "a pod's hostname must be a DNS label")
	}
	x.security(s, &c, &pod)
	x.probes(s, &c)
	x.resources(s, &c)
	x.runtimeSettings(s, &c, &pod)
	claims := x.mounts(s, &c, &pod)
	x.files(s, &c, &pod)
	x.initWaits(s, &pod)
	x.hooks(s, &c, &pod) // pre_start after the waits, as Compose runs it once they are met
	pod.Containers = []corev1.Container{c}

	for i, h := range s.ExtraHosts {
		host, ip, ok := strings.Cut(h, ":")
		if !ok || net.ParseIP(ip) == nil {
			x.refuse(s, fmt.Sprintf("extra_hosts[%d]", i), "%q: a pod's host aliases need an IP address (host-gateway has no counterpart)", h)
			continue
		}
		pod.HostAliases = append(pod.HostAliases, corev1.HostAlias{IP: ip, Hostnames: []string{host}})
	}
	if s.StopGracePeriod != nil {
		pod.TerminationGracePeriodSeconds = ptr.To(int64(math.Ceil(s.StopGracePeriod.Seconds())))
	}
	if s.StopSignal != "" && s.StopSignal != "SIGTERM" {
		x.refuse(s, "stop_signal", "Kubernetes stops a container with SIGTERM; another signal needs a preStop hook in the image")
	}
	if s.ContainerName != "" {
		x.refuse(s, "container_name", "pods are named by their controller; the service's name is its DNS name in the cluster")
	}
	if s.Platform != "" {
		os, arch, _ := strings.Cut(s.Platform, "/")
		arch, _, _ = strings.Cut(arch, "/")
		pod.NodeSelector = map[string]string{"kubernetes.io/os": os}
		if arch != "" {
			pod.NodeSelector["kubernetes.io/arch"] = arch
		}
	}
	return pod, claims
}

// escape keeps Kubernetes from expanding $(VAR) in a value, which Docker
// passes on as written.
func escape(s string) string { return strings.ReplaceAll(s, "$(", "$$(") }

func escapeAll(list []string) []string {
	if list == nil {
		return nil
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = escape(s)
	}
	return out
}

func (x *exporter) security(s *spec.Service, c *corev1.Container, pod *corev1.PodSpec) {
	sc := &corev1.SecurityContext{}
	set := false
	if s.User != "" {
		user, group, _ := strings.Cut(s.User, ":")
		uid, err := strconv.ParseInt(user, 10, 64)
		if err != nil {
			x.refuse(s, "user", "%q: Kubernetes runs a container as a numeric user ID (runAsUser); give the UID", s.User)
		} else {
			sc.RunAsUser = &uid
			set = true
		}
		if group != "" {
			gid, err := strconv.ParseInt(group, 10, 64)
			if err != nil {
				x.refuse(s, "user", "%q: Kubernetes runs a container as a numeric group ID (runAsGroup); give the GID", s.User)
			} else {
				sc.RunAsGroup = &gid
			}
		}
	}
	if s.ReadOnly {
		sc.ReadOnlyRootFilesystem = ptr.To(true)
		set = true
	}
	if s.Privileged {
		sc.Privileged = ptr.To(true)
		set = true
	}
	if len(s.CapAdd) > 0 || len(s.CapDrop) > 0 {
		sc.Capabilities = &corev1.Capabilities{}
		for _, cp := range s.CapAdd {
			sc.Capabilities.Add = append(sc.Capabilities.Add, corev1.Capability(strings.TrimPrefix(strings.ToUpper(cp), "CAP_")))
		}
		for _, cp := range s.CapDrop {
			sc.Capabilities.Drop = append(sc.Capabilities.Drop, corev1.Capability(strings.TrimPrefix(strings.ToUpper(cp), "CAP_")))
		}
		set = true
	}
	for i, opt := range s.SecurityOpt {
		switch strings.ReplaceAll(opt, "=", ":") {
		case "no-new-privileges", "no-new-privileges:true":
			sc.AllowPrivilegeEscalation = ptr.To(false)
			set = true
		case "no-new-privileges:false":
		case "seccomp:unconfined":
			sc.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
			set = true
		default:
			x.refuse(s, fmt.Sprintf("security_opt[%d]", i), "%q has no counterpart in a container's securityContext here", opt)
		}
	}
	if set {
		c.SecurityContext = sc
	}
	if s.Init != nil && *s.Init {
		// The pod's pause process becomes PID 1 and reaps zombies, as
		// Docker's init does.
		pod.ShareProcessNamespace = ptr.To(true)
	}
}

// Docker's healthcheck defaults.
const (
	defaultInterval      = 30 * time.Second
	defaultTimeout       = 30 * time.Second
	defaultRetries       = 3
	defaultStartInterval = 5 * time.Second
)

// probes maps the healthcheck to a readiness probe (Docker's healthy is
// Kubernetes' ready: a Service routes only to ready pods, and the waits of
// dependents ask the Service) and, for a start period, a startup probe at
// the start interval that allows the start period plus the retries.
func (x *exporter) probes(s *spec.Service, c *corev1.Container) {
	h := s.Healthcheck
	if h == nil || h.Disable || len(h.Test) == 0 || h.Test[0] == "NONE" {
		return
	}
	var handler corev1.ProbeHandler
	switch h.Test[0] {
	case "CMD":
		handler.Exec = &corev1.ExecAction{Command: h.Test[1:]}
	case "CMD-SHELL":
		handler.Exec = &corev1.ExecAction{Command: []string{"/bin/sh", "-c", strings.Join(h.Test[1:], " ")}}
	default:
		x.refuse(s, "healthcheck.test", "want CMD, CMD-SHELL or NONE first")
		return
	}
	interval := or(h.Interval, defaultInterval)
	retries := h.Retries
	if retries <= 0 {
		retries = defaultRetries
	}
	c.ReadinessProbe = &corev1.Probe{
		ProbeHandler:     handler,
		PeriodSeconds:    seconds(interval),
		TimeoutSeconds:   seconds(or(h.Timeout, defaultTimeout)),
		FailureThreshold: int32(retries),
		SuccessThreshold: 1,
	}
	if h.StartPeriod > 0 {
		startInterval := or(h.StartInterval, defaultStartInterval)
		c.StartupProbe = &corev1.Probe{
			ProbeHandler:     handler,
			PeriodSeconds:    seconds(startInterval),
			TimeoutSeconds:   c.ReadinessProbe.TimeoutSeconds,
			FailureThreshold: int32(math.Ceil(float64(h.StartPeriod)/float64(startInterval))) + int32(retries)*max(1, seconds(interval)/seconds(startInterval)),
			SuccessThreshold: 1,
		}
	}
}

func or(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func seconds(d time.Duration) int32 {
	return int32(max(1, math.Ceil(d.Seconds())))
}

func (x *exporter) resources(s *spec.Service, c *corev1.Container) {
	limits := corev1.ResourceList{}
	if s.Resources.CPUs > 0 {
		limits[corev1.ResourceCPU] = *resource.NewMilliQuantity(int64(math.Round(s.Resources.CPUs*1000)), resource.DecimalSI)
	}
	if s.Resources.MemoryBytes > 0 {
		limits[corev1.ResourceMemory] = *resource.NewQuantity(s.Resources.MemoryBytes, resource.BinarySI)
	}
	gpus := int64(0)
	for i, g := range s.Resources.GPUs {
		key := fmt.Sprintf("deploy.resources.reservations.devices[%d]", i)
		keyPath := "services." + s.Name + "." + key
		// Where it was written: compose's devices or gpus, HCL's gpus block.
		pos := s.Pos("")
		for _, k := range []string{key, fmt.Sprintf("gpus[%d]", i), fmt.Sprintf("resources.gpus[%d]", i), "gpus", "resources.gpus", "resources"} {
			if p, ok := s.Positions[k]; ok {
				pos = p
				break
			}
		}
		switch {
		case g.Driver != "" && g.Driver != "nvidia":
			x.refuseAt(keyPath, pos, "driver %q: only nvidia GPUs map to a resource (nvidia.com/gpu)", g.Driver)
		case len(g.DeviceIDs) > 0:
			x.refuseAt(keyPath, pos, "device_ids: the scheduler picks the GPUs of a pod; ask for a count")
		case g.Count < 0:
			x.refuseAt(keyPath, pos, "count: all: Kubernetes asks for a number of GPUs; give a count")
		default:
			gpus += int64(max(g.Count, 1))
		}
	}
	if gpus > 0 {
		limits["nvidia.com/gpu"] = *resource.NewQuantity(gpus, resource.DecimalSI)
	}
	if len(limits) > 0 {
		c.Resources.Limits = limits
	}
}

// mounts maps volume, tmpfs and bind mounts; it returns the claim templates
// of a StatefulSet.
func (x *exporter) mounts(s *spec.Service, c *corev1.Container, pod *corev1.PodSpec) []corev1.PersistentVolumeClaim {
	var claims []corev1.PersistentVolumeClaim
	own := map[string]bool{}
	if x.kinds[s.Name] == kindStatefulSet {
		for _, v := range x.ownVolumes(s) {
			own[v] = true
		}
	}
	haveVolume := map[string]bool{}
	for i, m := range s.Volumes {
		key := fmt.Sprintf("volumes[%d]", i)
		vm := corev1.VolumeMount{MountPath: m.Target, ReadOnly: m.ReadOnly}
		var vol *corev1.Volume
		switch {
		case m.Type == spec.MountVolume && m.Source != "":
			vm.Name = "vol-" + objectName(m.Source)
			if own[m.Source] {
				if !haveVolume[vm.Name] {
					claims = append(claims, x.claim(vm.Name, x.p.Volumes[m.Source], 1))
				}
			} else {
				vol = &corev1.Volume{Name: vm.Name, VolumeSource: corev1.VolumeSource{
					PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: x.claimName(m.Source)},
				}}
			}
		case m.Type == spec.MountVolume || m.Type == spec.MountTmpfs:
			vm.Name = fmt.Sprintf("scratch-%d", i)
			ed := &corev1.EmptyDirVolumeSource{}
			if m.Type == spec.MountTmpfs {
				ed.Medium = corev1.StorageMediumMemory
				if m.TmpfsSize > 0 {
					ed.SizeLimit = resource.NewQuantity(m.TmpfsSize, resource.BinarySI)
				}
			}
			vol = &corev1.Volume{Name: vm.Name, VolumeSource: corev1.VolumeSource{EmptyDir: ed}}
		case m.Type == spec.MountBind:
			if !x.opts.HostPath {
				x.refuse(s, key, "bind mount of %s: a pod cannot see the files of the machine you run stack on; bake them into the image, use a config or secret, or map it to a hostPath on the node with --host-path", m.Source)
				continue
			}
			vm.Name = fmt.Sprintf("host-%d", i)
			vol = &corev1.Volume{Name: vm.Name, VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: m.Source}}}
			x.note("services.%s.%s: bind mount of %s is a hostPath: the path must exist on the node that runs the pod", s.Name, key, m.Source)
		default:
			x.refuse(s, key, "mount type %q has no counterpart", m.Type)
			continue
		}
		if vol != nil && !haveVolume[vm.Name] {
			pod.Volumes = append(pod.Volumes, *vol)
		}
		haveVolume[vm.Name] = true
		c.VolumeMounts = append(c.VolumeMounts, vm)
	}
	return claims
}

// files mounts the service's secrets and configs at their targets.
func (x *exporter) files(s *spec.Service, c *corev1.Container, pod *corev1.PodSpec) {
	mount := func(kind string, i int, ref spec.FileRef) {
		key := fmt.Sprintf("%ss[%d]", kind, i)
		if ref.UID != "" || ref.GID != "" {
			x.refuse(s, key, "uid/gid: a mounted %s belongs to the pod's fsGroup, not to a user of its own", kind)
		}
		target := ref.Target
		if target == "" {
			target = "/" + ref.Source
			if kind == "secret" {
				target = "/run/secrets/" + ref.Source
			}
		} else if !path.IsAbs(target) {
			// Docker reads a relative target under the default folder.
			if kind == "secret" {
				target = "/run/secrets/" + target
			} else {
				target = "/" + target
			}
		}
		name := kind + "-" + objectName(ref.Source)
		dataKey := dataKey(ref.Source)
		src := corev1.VolumeSource{}
		items := []corev1.KeyToPath{{Key: dataKey, Path: dataKey}}
		var mode *int32
		if ref.Mode != nil {
			mode = ptr.To(int32(*ref.Mode))
		}
		if kind == "secret" {
			src.Secret = &corev1.SecretVolumeSource{SecretName: x.fileObjectName(kind, ref.Source), Items: items, DefaultMode: mode}
		} else {
			src.ConfigMap = &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: x.fileObjectName(kind, ref.Source)}, Items: items, DefaultMode: mode}
		}
		// One volume per source and mode; a second mount of the same source
		// with another mode gets a volume of its own.
		for _, v := range pod.Volumes {
			if v.Name == name {
				name = fmt.Sprintf("%s-%d", name, i)
			}
		}
		pod.Volumes = append(pod.Volumes, corev1.Volume{Name: name, VolumeSource: src})
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: name, MountPath: target, SubPath: dataKey, ReadOnly: true})
	}
	for i, ref := range s.Secrets {
		mount("secret", i, ref)
	}
	for i, ref := range s.Configs {
		mount("config", i, ref)
	}
}

// dataKey is the key a secret's or config's value is stored under.
func dataKey(source string) string {
	var b strings.Builder
	for _, r := range source {
		if r == '-' || r == '_' || r == '.' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteRune('_')
		}
	}
	return b.String()
}

// initWaits keeps depends_on: an init container per dependency waits for
// the Job to complete or for the dependency's Service to answer (which,
// with a readiness probe, is once a pod is healthy).
func (x *exporter) initWaits(s *spec.Service, pod *corev1.PodSpec) {
	for _, dep := range sortedKeys(s.DependsOn) {
		d := s.DependsOn[dep]
		key := "depends_on." + dep
		if x.p.Services[dep] == nil {
			continue // an optional dependency left out by profiles
		}
		c := corev1.Container{Name: "wait-" + dep, Image: x.opts.WaitImage}
		switch {
		case x.kinds[dep] == kindJob:
			if d.Condition != spec.ConditionCompleted {
				// Under Docker this waits for the job's start; the Job's
				// pod has no Service to answer.
				x.note("services.%s.%s: waits for the Job %s to complete, not only to start", s.Name, key, dep)
			}
			x.needsWaitAccount = true
			pod.ServiceAccountName = waitAccount
			c.Command = []string{"/bin/bash", "-c",
				fmt.Sprintf("until kubectl wait --for=condition=complete --timeout=1h job/%s; do "+
					"if kubectl wait --for=condition=failed --timeout=1s job/%s >/dev/null 2>&1; then echo 'job %s failed' >&2; exit 1; fi; "+
					"sleep 2; done", dep, dep, dep)}
		default:
			ports := x.ports[dep]
			if len(ports) == 0 {
				x.cannotWait(s, dep, "%s has no port to wait on (no ports or expose, and no local image that EXPOSEs one): add expose to %s, or build its image first", dep, dep)
				continue
			}
			if d.Condition == spec.ConditionHealthy && !x.hasProbe(dep) {
				x.refuse(s, key+".condition", "%s has no healthcheck to be healthy by", dep)
				continue
			}
			p := ports[0]
			if p.Protocol != corev1.ProtocolTCP {
				x.cannotWait(s, dep, "%s has no TCP port to wait on", dep)
				continue
			}
			c.Command = []string{"/bin/bash", "-c",
				fmt.Sprintf("until timeout 3 bash -c 'exec 3<>/dev/tcp/%s/%d' 2>/dev/null; do echo 'waiting for %s:%d'; sleep 2; done", dep, p.ContainerPort, dep, p.ContainerPort)}
		}
		pod.InitContainers = append(pod.InitContainers, c)
	}
}

// cannotWait reports a dependency no init container can wait for: a
// refusal of the depends_on entry the user wrote, or, for one that links,
// volumes_from or a service: mode implies (their own refusal or mapping
// is reported at their own key), a note that the wait is left out.
func (x *exporter) cannotWait(s *spec.Service, dep, format string, args ...any) {
	key := "depends_on." + dep
	if dependsOnWritten(s, dep) || !slices.Contains(s.ReferencedServices(), dep) {
		x.refuse(s, key, format, args...)
		return
	}
	x.note("services.%s: starts without waiting for %s, which its links, volumes_from or service: mode imply: %s", s.Name, dep, fmt.Sprintf(format, args...))
}

// dependsOnWritten tells whether the stack file names dep under depends_on
// (HCL and compose's long form record each entry; compose's short list
// only the key, which then counts for every entry).
func dependsOnWritten(s *spec.Service, dep string) bool {
	if _, ok := s.Positions["depends_on."+dep]; ok {
		return true
	}
	for key := range s.Positions {
		if key == "depends_on" || strings.HasPrefix(key, "depends_on[") {
			return true
		}
	}
	return false
}

func (x *exporter) hasProbe(name string) bool {
	h := x.p.Services[name].Healthcheck
	return h != nil && !h.Disable && len(h.Test) > 0 && h.Test[0] != "NONE"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
