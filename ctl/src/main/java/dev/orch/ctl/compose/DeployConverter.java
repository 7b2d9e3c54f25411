package dev.orch.ctl.compose;

import dev.orch.ctl.parse.CpuQuantity;
import dev.orch.ctl.parse.GoDuration;
import dev.orch.ctl.parse.LifecycleValues;
import dev.orch.ctl.parse.MemorySize;
import dev.orch.ctl.parse.PlacementOptions;
import dev.orch.proto.Placement;
import dev.orch.proto.Resources;
import dev.orch.proto.RestartPolicy;
import dev.orch.proto.ServiceMode;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.UpdateConfig;

/** A service's {@code deploy} block into the service spec. */
final class DeployConverter {
    /** Records a key orch cannot honour yet. */
    interface NotYet {
        void report(String key, String feature, YamlNode.Position at);
    }

    private final String service;
    private final NotYet notYet;

    DeployConverter(String service, NotYet notYet) {
        this.service = service;
        this.notYet = notYet;
    }

    void apply(YamlNode deploy, ServiceSpec.Builder spec) {
        for (String key : deploy.entries().keySet()) {
            if (!ComposeKeys.DEPLOY.contains(key) && !key.startsWith("x-")) {
                throw new ComposeException(deploy.keyPosition(key), "unknown key \"" + key + "\" in deploy of service "
                        + service + ": use " + String.join(", ", ComposeKeys.DEPLOY.stream().sorted().toList()));
            }
        }
        ServiceMode mode = ServiceMode.MODE_REPLICATED;
        if (deploy.has("mode")) {
            mode = Values.parse("deploy.mode", deploy.get("mode"), LifecycleValues::mode);
        }
        spec.setMode(mode);
        boolean global = mode == ServiceMode.MODE_GLOBAL || mode == ServiceMode.MODE_GLOBAL_JOB;
        if (deploy.has("replicas") && !deploy.get("replicas").isNull()) {
            if (global) {
                throw new ComposeException(deploy.keyPosition("replicas"), "deploy.replicas cannot be used with mode "
                        + Values.string("mode", deploy.get("mode")) + ": a global service runs one task per node");
            }
            spec.setReplicas(Values.integer("deploy.replicas", deploy.get("replicas")));
        } else {
            spec.setReplicas(global ? 0 : 1);
        }
        if (deploy.has("labels")) {
            Values.keyValues("deploy.labels", deploy.get("labels"))
                    .forEach((k, v) -> spec.putLabels(k, v == null ? "" : v));
        }
        if (deploy.has("endpoint_mode")) {
            String endpoint = Values.string("deploy.endpoint_mode", deploy.get("endpoint_mode")).strip();
            spec.getEndpointBuilder().setMode(switch (endpoint.toLowerCase(java.util.Locale.ROOT)) {
                case "vip" -> dev.orch.proto.EndpointMode.ENDPOINT_VIP;
                case "dnsrr" -> dev.orch.proto.EndpointMode.ENDPOINT_DNSRR;
                default -> throw new ComposeException(deploy.get("endpoint_mode").position(), "deploy.endpoint_mode"
                        + " must be vip (one virtual IP) or dnsrr (DNS round robin), not \"" + endpoint + "\"");
            });
        }
        if (deploy.has("resources")) {
            resources(Values.map("deploy.resources", deploy.get("resources")), spec);
        }
        if (deploy.has("restart_policy")) {
            spec.setRestart(restart(Values.map("deploy.restart_policy", deploy.get("restart_policy"))));
        }
        if (deploy.has("placement")) {
            spec.setPlacement(placement(Values.map("deploy.placement", deploy.get("placement"))));
        }
        if (deploy.has("update_config")) {
            spec.setUpdate(update("deploy.update_config", deploy.get("update_config"), true));
        }
        if (deploy.has("rollback_config")) {
            spec.setRollback(update("deploy.rollback_config", deploy.get("rollback_config"), false));
        }
    }

    private void resources(YamlNode node, ServiceSpec.Builder spec) {
        for (var e : node.entries().entrySet()) {
            String where = "deploy.resources." + e.getKey();
            YamlNode r = Values.map(where, e.getValue());
            Resources.Builder b = Resources.newBuilder();
            boolean limits = e.getKey().equals("limits");
            if (!limits && !e.getKey().equals("reservations")) {
                throw new ComposeException(node.keyPosition(e.getKey()), "unknown key \"" + e.getKey()
                        + "\" in deploy.resources: use limits or reservations");
            }
            for (var f : r.entries().entrySet()) {
                String k = f.getKey();
                YamlNode v = f.getValue();
                switch (k) {
                    case "cpus" -> b.setNanoCpus(Values.parse(where + ".cpus", v,
                            t -> CpuQuantity.parseNanoCpus(where + ".cpus", t)));
                    case "memory" -> b.setMemoryBytes(Values.parse(where + ".memory", v,
                            t -> MemorySize.parse(where + ".memory", t)));
                    case "pids" -> {
                        if (!limits) {
                            throw new ComposeException(r.keyPosition(k), "pids is a limit: move it to deploy.resources"
                                    + ".limits");
                        }
                        b.setPids(Values.integer(where + ".pids", v));
                    }
                    case "generic_resources", "devices" -> notYet.report(where + "." + k,
                            "generic resources and devices", r.keyPosition(k));
                    default -> throw new ComposeException(r.keyPosition(k), "unknown key \"" + k + "\" in " + where
                            + ": use cpus, memory" + (limits ? " or pids" : ""));
                }
            }
            if (limits) {
                spec.setLimits(b);
            } else {
                spec.setReservations(b);
            }
        }
    }

    private static RestartPolicy restart(YamlNode node) {
        RestartPolicy.Builder b = RestartPolicy.newBuilder();
        for (var e : node.entries().entrySet()) {
            String k = e.getKey();
            String where = "deploy.restart_policy." + k;
            YamlNode v = e.getValue();
            switch (k) {
                case "condition" -> b.setCondition(Values.parse(where, v, t -> LifecycleValues.restartCondition(where,
                        t)));
                case "delay" -> b.setDelayMs(millis(where, v));
                case "max_attempts" -> b.setMaxAttempts(Values.integer(where, v));
                case "window" -> b.setWindowMs(millis(where, v));
                default -> throw new ComposeException(node.keyPosition(k), "unknown key \"" + k
                        + "\" in deploy.restart_policy: use condition, delay, max_attempts, window");
            }
        }
        return b.build();
    }

    private static Placement placement(YamlNode node) {
        Placement.Builder b = Placement.newBuilder();
        for (var e : node.entries().entrySet()) {
            String k = e.getKey();
            YamlNode v = e.getValue();
            switch (k) {
                case "constraints" -> Values.words("deploy.placement.constraints", v, false).forEach(c ->
                        b.addConstraints(Values.parse(v, () -> PlacementOptions.constraint(c))));
                case "preferences" -> {
                    for (YamlNode p : v.items()) {
                        YamlNode spread = Values.map("deploy.placement.preferences item", p).get("spread");
                        if (spread == null || p.entries().size() != 1) {
                            throw new ComposeException(p.position(), "a placement preference is spread: DESCRIPTOR"
                                    + " (e.g. spread: node.labels.zone)");
                        }
                        b.addPreferences(Values.parse(p, () -> PlacementOptions.preference("spread="
                                + Values.string("spread", spread))));
                    }
                }
                case "max_replicas_per_node" -> b.setMaxReplicasPerNode(Values.integer("deploy.placement." + k, v));
                default -> throw new ComposeException(node.keyPosition(k), "unknown key \"" + k
                        + "\" in deploy.placement: use constraints, preferences, max_replicas_per_node");
            }
        }
        return b.build();
    }

    private static UpdateConfig update(String section, YamlNode raw, boolean allowRollback) {
        YamlNode node = Values.map(section, raw);
        UpdateConfig.Builder b = UpdateConfig.newBuilder();
        for (var e : node.entries().entrySet()) {
            String k = e.getKey();
            String where = section + "." + k;
            YamlNode v = e.getValue();
            switch (k) {
                case "parallelism" -> b.setParallelism(Values.integer(where, v));
                case "delay" -> b.setDelayMs(millis(where, v));
                case "failure_action" -> b.setFailureAction(Values.parse(where, v,
                        t -> LifecycleValues.failureAction(where, t, allowRollback)));
                case "monitor" -> b.setMonitorMs(millis(where, v));
                case "max_failure_ratio" -> b.setMaxFailureRatio(Values.parse(where, v,
                        t -> LifecycleValues.ratio(where, t)));
                case "order" -> b.setOrder(Values.parse(where, v, t -> LifecycleValues.order(where, t)));
                default -> throw new ComposeException(node.keyPosition(k), "unknown key \"" + k + "\" in " + section
                        + ": use parallelism, delay, failure_action, monitor, max_failure_ratio, order");
            }
        }
        return b.build();
    }

    private static long millis(String where, YamlNode v) {
        return Values.parse(where, v, t -> GoDuration.parse(where, t).toMillis());
    }
}
