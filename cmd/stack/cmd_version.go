package main

import (
	"context"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine/mobydocker"
)

func newVersionCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the versions of stack and of the Docker engine",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVersion(cmd.Context(), g)
		},
	}
}

func runVersion(ctx context.Context, g *globalOptions) error {
	fmt.Fprintf(g.stdout, "stack %s (%s, %s/%s)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	docker, err := mobydocker.New(g.log)
	if err != nil {
		return err
	}
	defer docker.Close()
	v, err := docker.Version(ctx)
	if err != nil {
		fmt.Fprintf(g.stdout, "docker engine: unreachable (%v)\n", err)
		return nil
	}
	fmt.Fprintf(g.stdout, "docker engine %s, API %s (%s/%s)\n", v.Version, v.APIVersion, v.OS, v.Arch)
	return nil
}
