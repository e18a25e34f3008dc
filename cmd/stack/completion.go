package main

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/mobydocker"
	"github.com/stack-dev/stack/spec"
)

// Shell completion (stack completion bash|zsh|fish|powershell) asks the
// binary through cobra's hidden __complete command: service names come
// from the stack file in the current folder (or -f), profiles from its
// services, -p project names from the engine's labels.

// serviceVerbs take service names as arguments; firstArgVerbs only as the
// first (the rest is a command line).
var (
	serviceVerbs  = []string{"up", "down", "ps", "logs", "stop", "start", "restart", "build", "pull", "push", "events", "kill", "pause", "unpause", "rm", "top", "create", "images", "volumes", "stats"}
	firstArgVerbs = []string{"exec", "run", "export", "commit", "attach"}
)

// registerCompletions adds the dynamic completions to root's tree.
func registerCompletions(root *cobra.Command, g *globalOptions) {
	for _, cmd := range root.Commands() {
		switch {
		case cmd.ValidArgsFunction != nil:
		case slices.Contains(serviceVerbs, cmd.Name()):
			cmd.ValidArgsFunction = g.completeServices
		case slices.Contains(firstArgVerbs, cmd.Name()):
			cmd.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
				if len(args) > 0 {
					return nil, cobra.ShellCompDirectiveDefault
				}
				return g.completeServices(cmd, args, toComplete)
			}
		case cmd.Name() == "scale":
			cmd.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
				names, dir := g.completeServices(cmd, args, toComplete)
				for i := range names {
					names[i] += "="
				}
				return names, dir | cobra.ShellCompDirectiveNoSpace
			}
		}
	}
	_ = root.RegisterFlagCompletionFunc("profile", g.completeProfiles)
	_ = root.RegisterFlagCompletionFunc("project-name", g.completeProjects)
}

// completionProject loads the stack for completion: quietly, and with every
// profile, so services behind a profile are offered too.
func (g *globalOptions) completionProject() *spec.Project {
	opts, err := g.loadOptions()
	if err != nil {
		return nil
	}
	opts.Profiles = append(opts.Profiles, "*")
	p, err := spec.Load(opts)
	if err != nil {
		return nil
	}
	return p
}

// completeServices offers the stack's services not already named.
func (g *globalOptions) completeServices(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	p := g.completionProject()
	if p == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for name := range p.Services {
		if strings.HasPrefix(name, toComplete) && !slices.Contains(args, name) {
			out = append(out, name)
		}
	}
	for name := range p.Disabled {
		if strings.HasPrefix(name, toComplete) && !slices.Contains(args, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), cobra.ShellCompDirectiveNoFileComp
}

// completeProfiles offers the profiles the stack's services name.
func (g *globalOptions) completeProfiles(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	p := g.completionProject()
	if p == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for _, services := range []map[string]*spec.Service{p.Services, p.Disabled} {
		for _, s := range services {
			for _, prof := range s.Profiles {
				if strings.HasPrefix(prof, toComplete) {
					out = append(out, prof)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), cobra.ShellCompDirectiveNoFileComp
}

// completeProjects offers the projects that have containers on the engine.
func (g *globalOptions) completeProjects(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	docker, err := mobydocker.New(zap.NewNop())
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	defer docker.Close()
	ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
	defer cancel()
	list, err := docker.ContainerList(ctx, engine.Labels{engine.LabelProject: ""})
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for _, c := range list {
		if name := c.Labels[engine.LabelProject]; strings.HasPrefix(name, toComplete) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), cobra.ShellCompDirectiveNoFileComp
}
