package dev.orch.ctl.compose;

import java.util.Map;
import java.util.Set;

/**
 * Every service key a compose file may hold, by what orch does with it. Keys not listed here are
 * errors (most often a typo), so nothing in a file is dropped without a word.
 */
final class ComposeKeys {
    private ComposeKeys() {
    }

    /** Converted into the service spec. */
    static final Set<String> CONVERTED = Set.of("image", "command", "entrypoint", "environment", "env_file",
            "hostname", "working_dir", "deploy", "secrets", "configs", "ports", "networks", "volumes", "tmpfs",
            "healthcheck", "user", "read_only", "cap_add", "cap_drop", "stop_signal", "stop_grace_period");

    /** Ignored with a warning each, as docker's stack deploy ignores them (with why, where useful). */
    static final Map<String, String> IGNORED = Map.ofEntries(
            Map.entry("build", "stacks do not build images; push it to a registry or import it (orchctl image import)"),
            Map.entry("cgroupns_mode", ""), Map.entry("cgroup_parent", ""), Map.entry("devices", ""),
            Map.entry("domainname", ""), Map.entry("external_links", ""), Map.entry("ipc", ""),
            Map.entry("links", "services reach each other by name on a shared network"),
            Map.entry("mac_address", ""), Map.entry("network_mode", ""), Map.entry("pid", ""),
            Map.entry("privileged", ""), Map.entry("restart", "use deploy.restart_policy"),
            Map.entry("security_opt", ""), Map.entry("shm_size", ""), Map.entry("userns_mode", ""),
            Map.entry("container_name", "setting the container name is not supported"),
            Map.entry("expose", "exposing ports is unnecessary: services on the same network reach any port"),
            Map.entry("depends_on", "services start in any order; make them retry"),
            Map.entry("profiles", "every service of the file is deployed"),
            Map.entry("labels", "container labels are not supported; deploy.labels label the service"),
            Map.entry("logging", "logs go to the node's log files (orchctl service logs)"),
            Map.entry("tty", ""), Map.entry("stdin_open", ""), Map.entry("pull_policy", ""), Map.entry("platform", ""),
            Map.entry("oom_score_adj", ""), Map.entry("oom_kill_disable", ""), Map.entry("runtime", ""),
            Map.entry("storage_opt", ""), Map.entry("device_cgroup_rules", ""), Map.entry("group_add", ""),
            Map.entry("mem_swappiness", ""), Map.entry("blkio_config", ""), Map.entry("annotations", ""),
            Map.entry("attach", ""), Map.entry("develop", ""), Map.entry("uts", ""), Map.entry("scale",
                    "use deploy.replicas"), Map.entry("isolation", ""), Map.entry("credential_spec", ""),
            Map.entry("post_start", ""), Map.entry("pre_stop", ""), Map.entry("cpu_count", ""),
            Map.entry("cpu_percent", ""), Map.entry("cpu_period", ""), Map.entry("cpu_rt_period", ""),
            Map.entry("cpu_rt_runtime", ""), Map.entry("gpus", ""), Map.entry("use_api_socket", ""),
            Map.entry("provider", ""), Map.entry("label_file", ""), Map.entry("models", ""));

    /** Refused, with docker's hint. */
    static final Map<String, String> FORBIDDEN = Map.ofEntries(
            Map.entry("extends", "extends is not supported; merge files with several -c options instead"),
            Map.entry("volume_driver", "define a volume in the top-level volumes with its driver instead"),
            Map.entry("volumes_from", "to share a volume, define it in the top-level volumes and mount it in each"
                    + " service"),
            Map.entry("cpu_quota", "set resource limits with deploy.resources"),
            Map.entry("cpu_shares", "set resource limits with deploy.resources"),
            Map.entry("cpuset", "set resource limits with deploy.resources"),
            Map.entry("cpus", "set resource limits with deploy.resources.limits.cpus"),
            Map.entry("mem_limit", "set resource limits with deploy.resources.limits.memory"),
            Map.entry("mem_reservation", "set reservations with deploy.resources.reservations.memory"),
            Map.entry("memswap_limit", "set resource limits with deploy.resources"),
            Map.entry("pids_limit", "set the limit with deploy.resources.limits.pids"));

    /** Docker converts these; orch's containers have no such feature yet, so they are refused. */
    static final Map<String, String> NOT_YET = Map.ofEntries(
            Map.entry("init", "an init process option (every container already runs orch's init as PID 1)"),
            Map.entry("sysctls", "sysctls"), Map.entry("ulimits", "ulimits"),
            Map.entry("extra_hosts", "extra hosts entries"), Map.entry("dns", "DNS settings"),
            Map.entry("dns_search", "DNS settings"), Map.entry("dns_opt", "DNS settings"));

    static final Set<String> DEPLOY = Set.of("mode", "replicas", "labels", "resources", "restart_policy",
            "placement", "update_config", "rollback_config", "endpoint_mode");

    static final Set<String> TOP_LEVEL = Set.of("version", "name", "services", "networks", "volumes", "secrets",
            "configs", "include");
}
