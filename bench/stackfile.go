package main

import (
	"fmt"
	"strings"
)

// shape is the form of a generated stack: how many services, and how they
// depend on each other.
type shape struct {
	Services int
	// Chain makes every service depend on the one before it.
	Chain bool
	// Healthy makes the chain wait for service_healthy, each service ready
	// one second after it starts, with a healthcheck probing every 100ms in
	// its start period.
	Healthy bool
}

// serviceName is the name of service number i (from 1); zero-padded so that
// sorted order is chain order.
func serviceName(i int) string { return fmt.Sprintf("svc%03d", i) }

// composeFile renders the stack as a compose file. Every service and the
// default network carry the test labels plus the run label, so cleanup can
// find all of it.
func composeFile(s shape, image, run string) string {
	var b strings.Builder
	labels := func(indent string) {
		fmt.Fprintf(&b, "%slabels:\n", indent)
		fmt.Fprintf(&b, "%s  %s: \"1\"\n", indent, labelTest)
		fmt.Fprintf(&b, "%s  %s: %q\n", indent, labelRun, run)
	}
	b.WriteString("services:\n")
	for i := 1; i <= s.Services; i++ {
		fmt.Fprintf(&b, "  %s:\n", serviceName(i))
		fmt.Fprintf(&b, "    image: %s\n", image)
		labels("    ")
		if s.Healthy {
			b.WriteString("    command: [\"serve\", \"--ready-after\", \"1s\"]\n")
			b.WriteString("    healthcheck:\n")
			b.WriteString("      test: [\"CMD\", \"/testimage\", \"health\"]\n")
			b.WriteString("      interval: 1s\n")
			b.WriteString("      start_interval: 100ms\n")
		}
		if s.Chain && i > 1 {
			condition := "service_started"
			if s.Healthy {
				condition = "service_healthy"
			}
			b.WriteString("    depends_on:\n")
			fmt.Fprintf(&b, "      %s:\n", serviceName(i-1))
			fmt.Fprintf(&b, "        condition: %s\n", condition)
		}
	}
	b.WriteString("networks:\n  default:\n")
	labels("    ")
	return b.String()
}
