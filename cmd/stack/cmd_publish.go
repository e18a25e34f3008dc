package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stack-dev/stack/internal/oci"
	"github.com/stack-dev/stack/spec"
)

type publishOptions struct {
	OCIVersion string
	Yes        bool
	Insecure   bool
}

func newPublishCmd(g *globalOptions) *cobra.Command {
	var opts publishOptions
	cmd := &cobra.Command{
		Use:   "publish REGISTRY/REPOSITORY[:TAG]",
		Short: "Publish the stack as an OCI artifact to a registry",
		Long: `Push the stack's compose files to a registry as an OCI artifact, as docker
compose publish does (artifact type application/vnd.docker.compose.project,
one application/vnd.docker.compose.file+yaml layer a file), so that
docker compose -f oci://REF runs it. An HCL stack is published as the
compose file stack config prints. The registry is reached without
credentials: one on loopback or a trusted network.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPublish(cmd.Context(), g, opts, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.OCIVersion, "oci-version", "", "OCI manifest form: 1.0 or 1.1 (default: 1.1, falling back to 1.0)")
	f.BoolVarP(&opts.Yes, "yes", "y", false, "accepted for Docker Compose scripts; publish asks nothing")
	f.BoolVar(&opts.Insecure, "insecure-registry", false, "plain HTTP to a registry that is not on loopback")
	return cmd
}

func runPublish(ctx context.Context, g *globalOptions, opts publishOptions, ref string) error {
	host, repo, tag, err := oci.ParseRef(ref)
	if err != nil {
		return err
	}
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	files, err := publishedFiles(p)
	if err != nil {
		return err
	}
	var reg oci.Registry = oci.NewHTTP(host, opts.Insecure)
	if g.DryRun {
		reg = oci.NewFake()
	}
	dgst, err := oci.Publish(ctx, reg, repo, tag, files, oci.Version(opts.OCIVersion))
	if err != nil {
		return fmt.Errorf("publish to %s: %w", ref, err)
	}
	if g.DryRun {
		for _, f := range files {
			fmt.Fprintf(g.stderr, "dry-run: would push %s (%d bytes)\n", f.Name, len(f.Content))
		}
		fmt.Fprintf(g.stderr, "dry-run: would push the manifest as %s/%s:%s\n", host, repo, tag)
		return nil
	}
	fmt.Fprintf(g.stdout, "%s/%s:%s@%s\n", host, repo, tag, dgst)
	return nil
}

// publishedFiles are the compose files as they are, or for an HCL stack
// the compose file it renders to.
func publishedFiles(p *spec.Project) ([]oci.File, error) {
	if len(p.Files) > 0 && !isHCLFile(p.Files[0]) {
		var files []oci.File
		for _, path := range p.Files {
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, err
			}
			files = append(files, oci.File{Name: filepath.Base(path), Content: b})
		}
		return files, nil
	}
	b, err := spec.MarshalCompose(p, "yaml")
	if err != nil {
		return nil, fmt.Errorf("render the stack as compose yaml: %w", err)
	}
	return []oci.File{{Name: "compose.yaml", Content: b}}, nil
}

// isHCLFile tells HCL stack files by name, as spec does: *.hcl, and
// stack.hcl.example and the like.
func isHCLFile(path string) bool {
	name := strings.ToLower(filepath.Base(path))
	return strings.HasSuffix(name, ".hcl") || strings.Contains(name, ".hcl.")
}
