package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/engine/mobydocker"
	"github.com/stack-dev/stack/kube"
)

// exportKubeOptions are the arguments of `stack export kubernetes`.
type exportKubeOptions struct {
	Output     string // "" or "-": stdout; else a folder
	Namespace  string
	Kustomize  bool
	Check      bool
	Kubeconfig string
	Context    string
	Publish    string
	HostPath   bool
	Drop       []string
	WaitImage  string
	VolumeSize string
	Services   []string
}

func newExportKubeCmd(g *globalOptions) *cobra.Command {
	var opts exportKubeOptions
	cmd := &cobra.Command{
		Use:     "kubernetes [SERVICE...]",
		Aliases: []string{"k8s"},
		Short:   "Export the stack (or SERVICEs and their dependencies) as Kubernetes manifests",
		Long: `Export the stack as Kubernetes manifests: a Deployment, StatefulSet or Job
per service, a Service per service that listens on ports, claims, Secrets
and ConfigMaps. depends_on becomes init containers that wait for the
dependency's Service to answer or its Job to complete. Keys Kubernetes has
no counterpart for stop the export, naming each; --drop KEY_PATH leaves one
out. See docs/kubernetes.md for the mapping.

The manifests go to stdout, or with -o DIR one file per object into DIR.
--check validates them with a server-side dry run against the API server of
the current kubeconfig context (nothing is created).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Services = args
			return runExportKube(cmd.Context(), g, opts, g.stdout)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Output, "output", "o", "", "folder to write one file per object into, a .yaml file for all of them, or - for stdout (default: stdout, nothing with --check)")
	f.StringVarP(&opts.Namespace, "namespace", "n", "", "put every object in this namespace and add the Namespace")
	f.BoolVar(&opts.Kustomize, "kustomize", false, "also write a kustomization.yaml listing the files (needs -o DIR)")
	f.BoolVar(&opts.Check, "check", false, "validate the manifests against the kubeconfig's API server (server-side dry run, strict fields)")
	f.StringVar(&opts.Kubeconfig, "kubeconfig", "", "kubeconfig for --check (default: $KUBECONFIG or ~/.kube/config)")
	f.StringVar(&opts.Context, "context", "", "kubeconfig context for --check (default: the current context)")
	f.StringVar(&opts.Publish, "publish", kube.PublishClusterIP, "Service type of services with published ports: clusterip, nodeport, loadbalancer")
	f.BoolVar(&opts.HostPath, "host-path", false, "map bind mounts to hostPath volumes on the node instead of refusing them")
	f.StringArrayVar(&opts.Drop, "drop", nil, "leave out a key Kubernetes has no counterpart for, by key path; * matches anything (repeatable)")
	f.StringVar(&opts.WaitImage, "wait-image", kube.DefaultWaitImage, "image of the init containers that wait for dependencies (needs bash and kubectl)")
	f.StringVar(&opts.VolumeSize, "volume-size", kube.DefaultVolumeSize, "storage each PersistentVolumeClaim requests")
	return cmd
}

func runExportKube(ctx context.Context, g *globalOptions, opts exportKubeOptions, out io.Writer) error {
	if opts.Kustomize && (opts.Output == "" || opts.Output == "-") {
		return errors.New("--kustomize writes a kustomization.yaml beside the manifests: give -o DIR")
	}
	p, err := g.loadProject(opts.Services...)
	if err != nil {
		return err
	}
	ko := kube.Options{
		Namespace:  opts.Namespace,
		Services:   opts.Services,
		WaitImage:  opts.WaitImage,
		Publish:    strings.ToLower(opts.Publish),
		HostPath:   opts.HostPath,
		Drop:       opts.Drop,
		VolumeSize: opts.VolumeSize,
	}
	// The ports an image EXPOSEs count, as services reach each other on
	// them under Docker; without an engine only the stack's ports do.
	if docker, err := mobydocker.New(g.log); err == nil {
		defer docker.Close()
		ko.Images = docker
	}
	m, err := kube.Export(ctx, p, ko)
	var refused *kube.RefusedError
	if errors.As(err, &refused) {
		fmt.Fprintln(g.stderr, "error: these keys have no Kubernetes counterpart; nothing was written:")
		for _, r := range refused.Refusals {
			if r.Pos.File != "" {
				r.Pos.File = relPath(r.Pos.File)
			}
			fmt.Fprintln(g.stderr, "  "+r.String())
		}
		fmt.Fprintln(g.stderr, "hint: leave a key out with --drop KEY_PATH (for example --drop "+kube.DropHint(refused.Refusals[0].KeyPath)+")")
		return exitError{code: 2}
	}
	if err != nil {
		return err
	}
	for _, n := range m.Notes {
		fmt.Fprintln(g.stderr, "note: "+n)
	}
	if opts.Check {
		path := opts.Kubeconfig
		if path == "" {
			path = kube.KubeconfigPath()
		}
		server, err := kube.NewAPIServer(path, opts.Context)
		if err != nil {
			return err
		}
		if err := server.ServerDryRun(ctx, m.Objects); err != nil {
			return err
		}
		fmt.Fprintf(g.stderr, "checked: %s accepted %d objects (server-side dry run)\n", server.Server, len(m.Objects))
	}
	switch opts.Output {
	case "":
		if opts.Check {
			return nil
		}
		fallthrough
	case "-":
		b, err := kube.MarshalAll(m.Objects)
		if err != nil {
			return err
		}
		_, err = out.Write(b)
		return err
	}
	if ext := filepath.Ext(opts.Output); ext == ".yaml" || ext == ".yml" {
		// A file name: every object in one multi-document file.
		if opts.Kustomize {
			return errors.New("--kustomize writes a kustomization.yaml beside the manifests: give -o a folder, not " + opts.Output)
		}
		b, err := kube.MarshalAll(m.Objects)
		if err != nil {
			return err
		}
		if err := os.WriteFile(opts.Output, b, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(g.stderr, "wrote %d objects to %s\n", len(m.Objects), opts.Output)
		return nil
	}
	files, err := kube.Render(m, opts.Namespace, opts.Kustomize)
	if err != nil {
		return err
	}
	if err := files.WriteDir(opts.Output); err != nil {
		return err
	}
	fmt.Fprintf(g.stderr, "wrote %d files to %s\n", len(files.Names), opts.Output)
	return nil
}
