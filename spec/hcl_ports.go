package spec

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

var hclPortSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "target", Required: true}, {Name: "published"}, {Name: "host_ip"}, {Name: "protocol"}, {Name: "mode"},
}}

// decodePorts reads the ports list (short syntax) and port blocks, in that
// order; "ports[i]" positions index the resulting Ports.
func (p *hclProject) decodePorts(d *hclDecoder, s *Service, attr *hcl.Attribute, blocks []*hcl.Block) {
	if specs, ok := d.strList(attr); ok {
		for i, spec := range specs {
			ports, err := parsePortSpec(spec)
			r := elemRange(attr.Expr, i)
			if err != nil {
				d.errorAt(r, "Invalid port", err.Error())
				continue
			}
			for _, port := range ports {
				d.mark(fmt.Sprintf("ports[%d]", len(s.Ports)), r)
				s.Ports = append(s.Ports, port)
			}
		}
	}
	for _, b := range blocks {
		c := p.content(b.Body, hclPortSchema)
		a := c.Attributes
		port := Port{Protocol: "tcp"}
		pd := d.within(fmt.Sprintf("ports[%d].", len(s.Ports)))
		if n, ok := pd.integer(a["target"]); ok {
			if n < 1 || n > 65535 {
				d.errorAt(a["target"].Expr.Range(), "Invalid port", fmt.Sprintf("Container port %d is out of range 1-65535.", n))
			}
			port.ContainerPort = uint16(n)
		}
		if v, ok := pd.value(a["published"]); ok {
			if str, err := convertString(v); err == nil && v.Type().IsPrimitiveType() && v.Type() != cty.Bool {
				if err := checkPortRange(str); err != nil {
					d.errorAt(a["published"].Expr.Range(), "Invalid port", err.Error())
				}
				port.HostPort = str
			} else {
				d.errorAt(a["published"].Expr.Range(), "Invalid port", "published is a host port such as 8080 or \"8080-8081\".")
			}
		}
		pd.setStr(a["host_ip"], &port.HostIP)
		if port.HostIP != "" {
			if _, err := netip.ParseAddr(port.HostIP); err != nil {
				d.errorAt(a["host_ip"].Expr.Range(), "Invalid port", fmt.Sprintf("host_ip %q is not an IP address.", port.HostIP))
			}
		}
		pd.setStr(a["protocol"], &port.Protocol)
		if err := checkProtocol(port.Protocol); err != nil {
			d.errorAt(a["protocol"].Expr.Range(), "Invalid port", err.Error())
		}
		pd.setStr(a["mode"], &port.Mode)
		switch port.Mode {
		case "", PortModeHost:
		case "ingress":
			port.Mode = ""
		default:
			d.errorAt(a["mode"].Expr.Range(), "Invalid port", fmt.Sprintf("mode %q is not a port mode: \"ingress\" (the default) or \"host\".", port.Mode))
		}
		d.mark(fmt.Sprintf("ports[%d]", len(s.Ports)), b.DefRange)
		s.Ports = append(s.Ports, port)
	}
}

// parsePortSpec reads Compose's short port syntax:
// [[ip:][host[-host]]:]container[-container][/protocol]. A container range
// gives one Port per port; a host range against one container port lets
// Docker pick a host port from it.
func parsePortSpec(spec string) ([]Port, error) {
	bad := func(why string) error {
		return fmt.Errorf("%q is not a port such as \"8080\", \"127.0.0.1:8080:80\" or \"9000-9001:9000-9001/udp\": %s", spec, why)
	}
	rest, proto := spec, "tcp"
	if i := strings.LastIndex(rest, "/"); i >= 0 {
		rest, proto = rest[:i], rest[i+1:]
		if err := checkProtocol(proto); err != nil {
			return nil, bad(err.Error())
		}
	}
	var hostIP, host string
	container := rest
	if i := strings.LastIndex(rest, ":"); i >= 0 {
		container = rest[i+1:]
		head := rest[:i]
		if j := strings.LastIndex(head, ":"); j >= 0 {
			hostIP, host = head[:j], head[j+1:]
			hostIP = strings.TrimSuffix(strings.TrimPrefix(hostIP, "["), "]")
			if _, err := netip.ParseAddr(hostIP); err != nil {
				return nil, bad(fmt.Sprintf("%q is not an IP address", hostIP))
			}
		} else {
			host = head
		}
	}
	cFirst, cLast, err := parsePortRange(container)
	if err != nil {
		return nil, bad(err.Error())
	}
	if host == "" {
		var out []Port
		for c := cFirst; c <= cLast; c++ {
			out = append(out, Port{HostIP: hostIP, ContainerPort: uint16(c), Protocol: proto})
		}
		return out, nil
	}
	hFirst, hLast, err := parsePortRange(host)
	if err != nil {
		return nil, bad(err.Error())
	}
	if cFirst == cLast {
		return []Port{{HostIP: hostIP, HostPort: host, ContainerPort: uint16(cFirst), Protocol: proto}}, nil
	}
	if hLast-hFirst != cLast-cFirst {
		return nil, bad("the host and container ranges differ in size")
	}
	var out []Port
	for i := 0; i <= cLast-cFirst; i++ {
		out = append(out, Port{HostIP: hostIP, HostPort: strconv.Itoa(hFirst + i), ContainerPort: uint16(cFirst + i), Protocol: proto})
	}
	return out, nil
}

func parsePortRange(s string) (int, int, error) {
	first, last, isRange := strings.Cut(s, "-")
	a, err := parsePortNumber(first)
	if err != nil {
		return 0, 0, err
	}
	if !isRange {
		return a, a, nil
	}
	b, err := parsePortNumber(last)
	if err != nil {
		return 0, 0, err
	}
	if b < a {
		return 0, 0, fmt.Errorf("range %s ends before it starts", s)
	}
	return a, b, nil
}

func parsePortNumber(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("%q is not a port number 1-65535", s)
	}
	return n, nil
}

func checkPortRange(s string) error {
	if s == "" {
		return nil
	}
	_, _, err := parsePortRange(s)
	return err
}

func checkProtocol(p string) error {
	switch p {
	case "tcp", "udp", "sctp":
		return nil
	}
	return fmt.Errorf("protocol %q is not tcp, udp or sctp", p)
}
