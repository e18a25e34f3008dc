package kube

import (
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/stack-dev/stack/spec"
)

// hooks maps the lifecycle hooks: post_start and pre_stop become the
// container's postStart and preStop exec handlers, pre_start an init
// container. What an exec handler cannot carry (a second hook, another
// user, privileges, a working folder, extra variables) is refused.
func (x *exporter) hooks(s *spec.Service, c *corev1.Container, pod *corev1.PodSpec) {
	handler := func(key string, hooks []spec.Hook) *corev1.LifecycleHandler {
		if len(hooks) == 0 {
			return nil
		}
		for i, h := range hooks {
			k := fmt.Sprintf("%s[%d]", key, i)
			switch {
			case i > 0:
				x.refuse(s, k, "a container has one %s handler; fold the hooks into one command", strings.ReplaceAll(key, "_", ""))
			case h.User != "" && h.User != s.User:
				x.refuse(s, k+".user", "an exec handler runs as the container's user")
			case h.Privileged:
				x.refuse(s, k+".privileged", "an exec handler has the container's privileges")
			case h.WorkingDir != "":
				x.refuse(s, k+".working_dir", "an exec handler runs in the container's working folder")
			case len(h.Environment) > 0:
				x.refuse(s, k+".environment", "an exec handler sees the container's environment only")
			}
		}
		return &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: escapeAll(hooks[0].Command)}}
	}
	post, pre := handler("post_start", s.PostStart), handler("pre_stop", s.PreStop)
	if post != nil || pre != nil {
		c.Lifecycle = &corev1.Lifecycle{PostStart: post, PreStop: pre}
	}
	for i, h := range s.PreStart {
		image := h.Image
		if image == "" {
			image = c.Image
		}
		init := corev1.Container{
			Name:       fmt.Sprintf("pre-start-%d", i),
			Image:      image,
			Command:    escapeAll(h.Command),
			WorkingDir: h.WorkingDir,
			Env:        append([]corev1.EnvVar(nil), c.Env...),
			// It shares the service's volumes, as in Compose.
			VolumeMounts: append([]corev1.VolumeMount(nil), c.VolumeMounts...),
		}
		for _, k := range sortedKeys(h.Environment) {
			init.Env = append(init.Env, corev1.EnvVar{Name: k, Value: escape(h.Environment[k])})
		}
		if h.Privileged || h.User != "" {
			init.SecurityContext = &corev1.SecurityContext{}
		}
		if h.Privileged {
			init.SecurityContext.Privileged = ptr.To(true)
		}
		if h.User != "" {
			uid, gid, err := numericUser(h.User)
			if err != nil {
				x.refuse(s, fmt.Sprintf("pre_start[%d].user", i), "%q: Kubernetes runs a container as a numeric user ID; give the UID[:GID]", h.User)
			}
			init.SecurityContext.RunAsUser, init.SecurityContext.RunAsGroup = uid, gid
		}
		pod.InitContainers = append(pod.InitContainers, init)
	}
	if len(s.PreStart) > 0 {
		x.note("services.%s.pre_start: an init container runs before every start of each pod, where Compose runs it once for the service", s.Name)
	}
	if s.Provider != nil {
		x.refuse(s, "provider", "a provider service is run by the %s binary on the machine that runs stack; a cluster cannot run it", s.Provider.Type)
	}
	if len(s.UnsetEnv) > 0 {
		x.note("services.%s.environment: %s are unset under Docker; a pod keeps the image's values for them", s.Name, strings.Join(s.UnsetEnv, ", "))
	}
}

// numericUser reads "UID[:GID]".
func numericUser(user string) (uid, gid *int64, err error) {
	u, g, hasGroup := strings.Cut(user, ":")
	n, err := strconv.ParseInt(u, 10, 64)
	if err != nil {
		return nil, nil, err
	}
	uid = &n
	if hasGroup {
		m, err := strconv.ParseInt(g, 10, 64)
		if err != nil {
			return nil, nil, err
		}
		gid = &m
	}
	return uid, gid, nil
}
