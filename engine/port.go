package engine

import (
	"context"
	"fmt"
	"net"
)

// Port returns the host address ("0.0.0.0:32768") a container port of
// replica index (1 for 0) of a service is published on, as `docker compose
// port` prints it. An IPv4 binding is preferred to an IPv6 one.
func (e *Engine) Port(ctx context.Context, project, service string, index int, port uint16, protocol string) (string, error) {
	if index <= 0 {
		index = 1
	}
	if protocol == "" {
		protocol = "tcp"
	}
	obs, err := e.observe(ctx, project)
	if err != nil {
		return "", err
	}
	replicas := obs.ServiceContainers(service)
	if len(replicas) == 0 {
		return "", fmt.Errorf("no container of service %s", service)
	}
	var c *ObservedContainer
	for i := range replicas {
		if replicas[i].Number == index {
			c = &replicas[i]
		}
	}
	if c == nil {
		return "", fmt.Errorf("service %s has no replica %d", service, index)
	}
	st, err := e.docker.ContainerInspect(ctx, c.ID)
	if err != nil {
		return "", fmt.Errorf("inspect %s: %w", c.Name, err)
	}
	found := ""
	for _, p := range st.Ports {
		if p.ContainerPort != port || p.Protocol != protocol || p.HostPort == "" {
			continue
		}
		host := p.HostIP
		if host == "" {
			host = "0.0.0.0"
		}
		addr := net.JoinHostPort(host, p.HostPort)
		if ip := net.ParseIP(host); ip == nil || ip.To4() != nil {
			return addr, nil
		}
		if found == "" {
			found = addr
		}
	}
	if found == "" {
		return "", fmt.Errorf("port %d/%s of %s is not published", port, protocol, c.Name)
	}
	return found, nil
}
