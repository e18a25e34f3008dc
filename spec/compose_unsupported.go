package spec

import (
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/tree"
)

// Compose keys the model does not honor are reported, never dropped:
//
//   - an error when running without the key gives a container that behaves
//     differently in a way the user relies on (it would reach or see other
//     things, or could not be built): network_mode, pid, ipc, volumes_from,
//     devices, build secrets/ssh/inline Dockerfiles/extra contexts,
//     npipe/cluster/image mounts;
//   - a warning for everything else (logging, deploy.placement, ulimits,
//     dns, ...): the stack still runs, only less tuned.
//
// Extension keys (x-*) are the spec's escape hatch and are ignored.

// supportedComposeKeys are the compose attribute paths the model maps, in
// compose-go's tree.Path form ("*" any key, "[]" any list item). A map of
// free-form keys needs both "labels" and "labels.*".
var supportedComposeKeys = []string{
	"name",
	"include", "include.[]", "include.[].path", "include.[].project_directory", "include.[].env_file",

	"services.*.image", "services.*.pull_policy", "services.*.platform",
	"services.*.build", "services.*.build.context", "services.*.build.dockerfile",
	"services.*.build.args", "services.*.build.args.*", "services.*.build.target",
	"services.*.build.labels", "services.*.build.labels.*", "services.*.build.no_cache",
	"services.*.build.tags",
	"services.*.command", "services.*.entrypoint",
	"services.*.environment", "services.*.environment.*",
	"services.*.env_file", "services.*.env_file.[].path", "services.*.env_file.[].required", "services.*.env_file.[].format",
	"services.*.working_dir", "services.*.user", "services.*.hostname",
	"services.*.labels", "services.*.labels.*",
	"services.*.ports", "services.*.ports.[].target", "services.*.ports.[].published",
	"services.*.ports.[].host_ip", "services.*.ports.[].protocol", "services.*.ports.[].mode",
	"services.*.expose",
	"services.*.volumes", "services.*.volumes.[].type", "services.*.volumes.[].source",
	"services.*.volumes.[].target", "services.*.volumes.[].read_only",
	"services.*.volumes.[].bind", "services.*.volumes.[].bind.create_host_path",
	"services.*.volumes.[].tmpfs", "services.*.volumes.[].tmpfs.size",
	"services.*.volumes.[].volume",
	"services.*.networks", "services.*.networks.*", "services.*.networks.*.aliases",
	"services.*.networks.*.ipv4_address",
	"services.*.extra_hosts", "services.*.extra_hosts.*",
	"services.*.depends_on", "services.*.depends_on.*", "services.*.depends_on.*.condition",
	"services.*.depends_on.*.required", "services.*.depends_on.*.restart",
	"services.*.healthcheck.test", "services.*.healthcheck.interval", "services.*.healthcheck.timeout",
	"services.*.healthcheck.retries", "services.*.healthcheck.start_period",
	"services.*.healthcheck.start_interval", "services.*.healthcheck.disable",
	"services.*.restart", "services.*.scale", "services.*.deploy.replicas",
	"services.*.deploy.resources.limits.cpus", "services.*.deploy.resources.limits.memory",
	"services.*.deploy.resources.reservations.devices",
	"services.*.deploy.resources.reservations.devices.[].driver",
	"services.*.deploy.resources.reservations.devices.[].count",
	"services.*.deploy.resources.reservations.devices.[].device_ids",
	"services.*.deploy.resources.reservations.devices.[].capabilities",
	"services.*.gpus", "services.*.gpus.[].driver", "services.*.gpus.[].count",
	"services.*.gpus.[].device_ids", "services.*.gpus.[].capabilities",
	"services.*.cpus", "services.*.mem_limit",
	"services.*.container_name", "services.*.profiles", "services.*.stop_signal",
	"services.*.stop_grace_period",
	"services.*.secrets", "services.*.secrets.[].source", "services.*.secrets.[].target",
	"services.*.secrets.[].uid", "services.*.secrets.[].gid", "services.*.secrets.[].mode",
	"services.*.configs", "services.*.configs.[].source", "services.*.configs.[].target",
	"services.*.configs.[].uid", "services.*.configs.[].gid", "services.*.configs.[].mode",
	"services.*.init", "services.*.read_only", "services.*.privileged",
	"services.*.cap_add", "services.*.cap_drop", "services.*.security_opt",
	"services.*.tty", "services.*.stdin_open",
	"services.*.extends", "services.*.extends.file", "services.*.extends.service",

	// Lifecycle hooks, providers, attach (compose_hooks.go). pre_start takes
	// a whole container spec in compose-go, but Compose runs it with these.
	"services.*.post_start", "services.*.post_start.[].command", "services.*.post_start.[].user",
	"services.*.post_start.[].privileged", "services.*.post_start.[].working_dir",
	"services.*.post_start.[].environment", "services.*.post_start.[].environment.*",
	"services.*.pre_stop", "services.*.pre_stop.[].command", "services.*.pre_stop.[].user",
	"services.*.pre_stop.[].privileged", "services.*.pre_stop.[].working_dir",
	"services.*.pre_stop.[].environment", "services.*.pre_stop.[].environment.*",
	"services.*.pre_start", "services.*.pre_start.[].image", "services.*.pre_start.[].command",
	"services.*.pre_start.[].user", "services.*.pre_start.[].privileged", "services.*.pre_start.[].working_dir",
	"services.*.pre_start.[].environment", "services.*.pre_start.[].environment.*",
	"services.*.pre_start.[].per_replica",
	"services.*.provider", "services.*.provider.type", "services.*.provider.options",
	"services.*.provider.options.*", "services.*.provider.options.*.[]",
	"services.*.attach",

	"networks.*", "networks.*.name", "networks.*.driver", "networks.*.driver_opts", "networks.*.driver_opts.*",
	"networks.*.labels", "networks.*.labels.*", "networks.*.internal", "networks.*.attachable",
	"networks.*.enable_ipv6", "networks.*.external", "networks.*.ipam.config",
	"networks.*.ipam.config.[].subnet",

	"volumes.*", "volumes.*.name", "volumes.*.driver", "volumes.*.driver_opts", "volumes.*.driver_opts.*",
	"volumes.*.labels", "volumes.*.labels.*", "volumes.*.external",

	"secrets.*.name", "secrets.*.file", "secrets.*.environment", "secrets.*.content", "secrets.*.external",
	"configs.*.name", "configs.*.file", "configs.*.environment", "configs.*.content", "configs.*.external",
}

// fatalComposeKeys are unsupported keys that are errors (see above).
var fatalComposeKeys = []string{
	"services.*.network_mode", "services.*.pid", "services.*.ipc", "services.*.volumes_from",
	"services.*.devices", "services.*.net",
	"services.*.build.secrets", "services.*.build.ssh", "services.*.build.dockerfile_inline",
	"services.*.build.additional_contexts",
	"services.*.volumes.[].type",
}

// unsupportedMountTypes are mount types the engine cannot create.
var unsupportedMountTypes = map[string]bool{"npipe": true, "cluster": true, "image": true}

func supportedComposePaths() []tree.Path {
	return toPaths(supportedComposeKeys)
}

// unsupportedComposePatterns flags supported keys whose value is not.
func unsupportedComposePatterns() []loader.UnsupportedAttributePattern {
	return []loader.UnsupportedAttributePattern{{
		Path: "services.*.volumes.[].type",
		Detect: func(v any) bool {
			s, _ := v.(string)
			return unsupportedMountTypes[s]
		},
	}}
}

// classifyUnsupported turns compose-go's findings into diagnostics, sorted
// by key path.
func classifyUnsupported(found []loader.UnsupportedAttribute, index *composeIndex) (warnings, errs []Diagnostic) {
	fatal := tree.NewMatcher(toPaths(fatalComposeKeys)...)
	for _, f := range found {
		keyPath := keyPathFromDotted(string(f.Path))
		pos, _ := index.lookup(keyPath)
		d := Diagnostic{Pos: pos, KeyPath: keyPath}
		switch {
		case fatal.Matches(f.Path):
			d.Summary = "not supported by stack"
			if f.Path.Last() == "type" {
				d.Summary = "mount type " + valueString(f.Value) + " is not supported by stack"
			}
			errs = append(errs, d)
		default:
			d.Warning = true
			d.Summary = "not supported by stack, ignored"
			warnings = append(warnings, d)
		}
	}
	sortDiags(warnings)
	sortDiags(errs)
	return warnings, errs
}

func valueString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return "?"
}

func toPaths(keys []string) []tree.Path {
	out := make([]tree.Path, len(keys))
	for i, k := range keys {
		out[i] = tree.Path(k)
	}
	return out
}

func sortDiags(ds []Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		return strings.Compare(ds[i].KeyPath, ds[j].KeyPath) < 0
	})
}
