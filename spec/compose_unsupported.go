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
//     differently in a way the user relies on, or the engine cannot do what
//     the key asks (Windows-only keys, Docker Model Runner models, build
//     entitlements and attestations): each with the reason and what would
//     make it work (fatalComposeReasons);
//   - a warning for keys only a swarm reads (deploy.placement, update_config,
//     ...): a single engine has no use for them, as in Docker Compose.
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
	"services.*.build.dockerfile_inline", "services.*.build.additional_contexts", "services.*.build.additional_contexts.*",
	"services.*.build.secrets", "services.*.build.secrets.[].source", "services.*.build.secrets.[].target",
	"services.*.build.secrets.[].uid", "services.*.build.secrets.[].gid", "services.*.build.secrets.[].mode",
	"services.*.build.ssh", "services.*.build.ssh.*", "services.*.build.ssh.[]",
	"services.*.build.cache_from", "services.*.build.cache_to", "services.*.build.network",
	"services.*.build.shm_size", "services.*.build.extra_hosts", "services.*.build.extra_hosts.*",
	"services.*.build.ulimits", "services.*.build.ulimits.*", "services.*.build.ulimits.*.soft",
	"services.*.build.ulimits.*.hard", "services.*.build.ulimits.*.single",
	"services.*.build.privileged", "services.*.build.pull", "services.*.build.isolation",
	"services.*.build.platforms",
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
	"services.*.volumes.[].volume", "services.*.volumes.[].volume.nocopy", "services.*.volumes.[].volume.subpath",
	"services.*.volumes.[].bind.propagation", "services.*.volumes.[].bind.selinux", "services.*.volumes.[].consistency",
	"services.*.volumes.[].tmpfs.mode",
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
	"services.*.deploy.resources.reservations.devices.[].options", "services.*.deploy.resources.reservations.devices.[].options.*",
	"services.*.gpus.[].options", "services.*.gpus.[].options.*",
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
	"services.*.develop", "services.*.develop.watch", "services.*.develop.watch.[]",
	"services.*.develop.watch.[].path", "services.*.develop.watch.[].action", "services.*.develop.watch.[].target",
	"services.*.develop.watch.[].ignore", "services.*.develop.watch.[].include", "services.*.develop.watch.[].initial_sync",
	"services.*.develop.watch.[].exec", "services.*.develop.watch.[].exec.command", "services.*.develop.watch.[].exec.user",
	"services.*.develop.watch.[].exec.working_dir", "services.*.develop.watch.[].exec.privileged",
	"services.*.develop.watch.[].exec.environment", "services.*.develop.watch.[].exec.environment.*",

	// Namespaces, devices, kernel and tuning (model_runtime.go).
	"services.*.network_mode", "services.*.net", "services.*.ipc", "services.*.pid", "services.*.uts",
	"services.*.userns_mode", "services.*.cgroup", "services.*.cgroup_parent", "services.*.isolation",
	"services.*.runtime", "services.*.volumes_from", "services.*.links", "services.*.external_links",
	"services.*.use_api_socket", "services.*.pull_refresh_after",
	"services.*.devices", "services.*.devices.[].source", "services.*.devices.[].target",
	"services.*.devices.[].permissions", "services.*.device_cgroup_rules", "services.*.group_add",
	"services.*.shm_size", "services.*.tmpfs", "services.*.ulimits", "services.*.ulimits.*",
	"services.*.ulimits.*.soft", "services.*.ulimits.*.hard", "services.*.ulimits.*.single",
	"services.*.sysctls", "services.*.sysctls.*", "services.*.storage_opt", "services.*.storage_opt.*",
	"services.*.annotations", "services.*.annotations.*", "services.*.label_file",
	"services.*.logging", "services.*.logging.driver", "services.*.logging.options", "services.*.logging.options.*",
	"services.*.log_driver", "services.*.log_opt", "services.*.log_opt.*",
	"services.*.dns", "services.*.dns_opt", "services.*.dns_search", "services.*.domainname",
	"services.*.mac_address", "services.*.oom_kill_disable", "services.*.oom_score_adj", "services.*.pids_limit",
	"services.*.cpu_count", "services.*.cpu_percent", "services.*.cpu_period", "services.*.cpu_quota",
	"services.*.cpu_rt_period", "services.*.cpu_rt_runtime", "services.*.cpu_shares", "services.*.cpuset",
	"services.*.mem_reservation", "services.*.memswap_limit", "services.*.mem_swappiness",
	"services.*.blkio_config", "services.*.blkio_config.weight", "services.*.blkio_config.weight_device",
	"services.*.blkio_config.weight_device.[].path", "services.*.blkio_config.weight_device.[].weight",
	"services.*.blkio_config.device_read_bps", "services.*.blkio_config.device_read_bps.[].path",
	"services.*.blkio_config.device_read_bps.[].rate", "services.*.blkio_config.device_read_iops",
	"services.*.blkio_config.device_read_iops.[].path", "services.*.blkio_config.device_read_iops.[].rate",
	"services.*.blkio_config.device_write_bps", "services.*.blkio_config.device_write_bps.[].path",
	"services.*.blkio_config.device_write_bps.[].rate", "services.*.blkio_config.device_write_iops",
	"services.*.blkio_config.device_write_iops.[].path", "services.*.blkio_config.device_write_iops.[].rate",
	"services.*.deploy.resources.reservations.memory", "services.*.deploy.resources.limits.pids",
	"services.*.deploy", "services.*.deploy.resources", "services.*.deploy.resources.limits",
	"services.*.deploy.resources.reservations", "services.*.healthcheck",
	"services.*.deploy.restart_policy", "services.*.deploy.restart_policy.condition",
	"services.*.deploy.restart_policy.max_attempts",
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
	// Read by stack deploy only (spec.Deploy).
	"services.*.deploy.mode", "services.*.deploy.endpoint_mode", "services.*.deploy.labels", "services.*.deploy.labels.*",
	"services.*.deploy.restart_policy.delay", "services.*.deploy.restart_policy.window",
	"services.*.deploy.update_config", "services.*.deploy.update_config.parallelism", "services.*.deploy.update_config.delay",
	"services.*.deploy.update_config.failure_action", "services.*.deploy.update_config.monitor",
	"services.*.deploy.update_config.max_failure_ratio", "services.*.deploy.update_config.order",
	"services.*.deploy.rollback_config", "services.*.deploy.rollback_config.parallelism", "services.*.deploy.rollback_config.delay",
	"services.*.deploy.rollback_config.failure_action", "services.*.deploy.rollback_config.monitor",
	"services.*.deploy.rollback_config.max_failure_ratio", "services.*.deploy.rollback_config.order",
	"services.*.deploy.placement", "services.*.deploy.placement.constraints", "services.*.deploy.placement.preferences",
	"services.*.deploy.placement.preferences.[].spread", "services.*.deploy.placement.max_replicas_per_node",

	"networks.*", "networks.*.name", "networks.*.driver", "networks.*.driver_opts", "networks.*.driver_opts.*",
	"networks.*.labels", "networks.*.labels.*", "networks.*.internal", "networks.*.attachable",
	"networks.*.enable_ipv6", "networks.*.external", "networks.*.ipam.config",
	"networks.*.ipam.config.[].subnet", "networks.*.ipam", "networks.*.ipam.driver", "networks.*.ipam.options",
	"networks.*.ipam.options.*", "networks.*.ipam.config.[].gateway", "networks.*.ipam.config.[].ip_range",
	"networks.*.ipam.config.[].aux_addresses", "networks.*.ipam.config.[].aux_addresses.*", "networks.*.enable_ipv4",

	"volumes.*", "volumes.*.name", "volumes.*.driver", "volumes.*.driver_opts", "volumes.*.driver_opts.*",
	"volumes.*.labels", "volumes.*.labels.*", "volumes.*.external",

	"secrets.*.name", "secrets.*.file", "secrets.*.environment", "secrets.*.content", "secrets.*.external",
	"configs.*.name", "configs.*.file", "configs.*.environment", "configs.*.content", "configs.*.external",
}

// fatalComposeKeys are unsupported keys that are errors (see above).
var fatalComposeKeys = []string{
	"services.*.credential_spec", "services.*.models", "models", "services.*.umask",
	"services.*.build.entitlements", "services.*.build.provenance", "services.*.build.sbom",
	"services.*.build.no_cache_filter",
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
			if why, ok := fatalReason(f.Path); ok {
				d.Summary += ": " + why
			}
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
