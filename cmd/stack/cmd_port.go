package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
)

type portOptions struct {
	Index    int
	Protocol string
}

func newPortCmd(g *globalOptions) *cobra.Command {
	var opts portOptions
	cmd := &cobra.Command{
		Use:   "port SERVICE PRIVATE_PORT",
		Short: "Print the host address a container port is published on",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPort(cmd.Context(), g, opts, args[0], args[1])
		},
	}
	cmd.Flags().IntVar(&opts.Index, "index", 1, "replica of the service")
	cmd.Flags().StringVar(&opts.Protocol, "protocol", "tcp", "tcp, udp or sctp")
	return cmd
}

func runPort(ctx context.Context, g *globalOptions, opts portOptions, service, port string) error {
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 {
		return fmt.Errorf("port %q: want a container port number", port)
	}
	switch opts.Protocol {
	case "tcp", "udp", "sctp":
	default:
		return fmt.Errorf("--protocol %q: want tcp, udp or sctp", opts.Protocol)
	}
	if opts.Index < 1 {
		return fmt.Errorf("--index %d: replicas count from 1", opts.Index)
	}
	project, e, done, err := g.serviceEngine(ctx, []string{service})
	if err != nil {
		return err
	}
	done()
	addr, err := e.Port(ctx, project, service, opts.Index, uint16(n), opts.Protocol)
	if err != nil {
		return err
	}
	fmt.Fprintln(g.stdout, addr)
	return nil
}
