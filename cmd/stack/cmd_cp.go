package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine"
)

type cpOptions struct {
	Index      int
	Archive    bool
	FollowLink bool
}

func newCpCmd(g *globalOptions) *cobra.Command {
	var opts cpOptions
	cmd := &cobra.Command{
		Use:   "cp [options] SERVICE:SRC_PATH DEST_PATH|-\n  stack cp [options] SRC_PATH|- SERVICE:DEST_PATH",
		Short: "Copy files between a service container and this machine",
		Long: `Copy files or folders between a service container and this machine,
through the engine's archive API, as docker compose cp does. A folder
destination that exists receives the source inside it. "-" is a tar on
stdin or stdout.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCp(cmd.Context(), g, opts, args[0], args[1])
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Index, "index", 0, "replica of the service (default 1)")
	f.BoolVarP(&opts.Archive, "archive", "a", false, "keep the owners (uid:gid) of what is copied into the container")
	f.BoolVarP(&opts.FollowLink, "follow-link", "L", false, "copy what a symlink source points to")
	return cmd
}

// containerPath splits "service:path"; a path on this machine has no
// colon before its first slash.
func containerPath(arg string) (service, p string, ok bool) {
	service, p, ok = strings.Cut(arg, ":")
	if !ok || service == "" || strings.Contains(service, "/") {
		return "", arg, false
	}
	return service, p, true
}

func runCp(ctx context.Context, g *globalOptions, opts cpOptions, src, dst string) error {
	srcService, srcPath, fromContainer := containerPath(src)
	dstService, dstPath, toContainer := containerPath(dst)
	switch {
	case fromContainer && toContainer:
		return errors.New("copying between containers is not supported; copy to this machine first")
	case !fromContainer && !toContainer:
		return errors.New("one of the paths must be SERVICE:PATH")
	}
	service := srcService
	if toContainer {
		service = dstService
	}
	project, e, done, err := g.serviceEngine(ctx, []string{service})
	if err != nil {
		return err
	}
	defer done()
	co := engine.CopyOptions{Index: opts.Index, Archive: opts.Archive, FollowLink: opts.FollowLink}
	if fromContainer {
		if srcPath == "" {
			return fmt.Errorf("%s: no path in the container", src)
		}
		return e.CopyFrom(ctx, project, service, srcPath, dstPath, co, g.stdout)
	}
	if dstPath == "" {
		return fmt.Errorf("%s: no path in the container", dst)
	}
	return e.CopyTo(ctx, project, service, srcPath, dstPath, co, os.Stdin)
}
