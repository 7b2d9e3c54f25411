package dev.orch.ctl.compose;

import dev.orch.ctl.parse.GoDuration;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.HealthConfig;
import java.util.List;
import java.util.function.Consumer;

/**
 * How a service's container runs: user, read-only root, capabilities, stop signal and grace
 * period, and the health check, as {@code service create} sets them.
 */
final class RuntimeConverter {
    private RuntimeConverter() {
    }

    static void apply(String service, YamlNode node, ContainerSpec.Builder container, Consumer<String> warnings) {
        if (has(node, "user")) {
            String user = Values.string("user", node.get("user")).strip();
            if (user.isEmpty() || user.contains(" ")) {
                throw new ComposeException(node.get("user").position(), "user of service " + service
                        + " must be a name or uid, optionally :group, not \"" + user + "\"");
            }
            container.setUser(user);
        }
        if (has(node, "read_only")) {
            container.setReadOnly(Values.bool("read_only", node.get("read_only")));
        }
        if (has(node, "cap_add")) {
            container.addAllCapAdd(Values.words("cap_add", node.get("cap_add"), false));
        }
        if (has(node, "cap_drop")) {
            container.addAllCapDrop(Values.words("cap_drop", node.get("cap_drop"), false));
        }
        if (has(node, "stop_signal")) {
            container.setStopSignal(Values.string("stop_signal", node.get("stop_signal")).strip());
        }
        if (has(node, "stop_grace_period")) {
            container.setStopGracePeriodMs(millis("stop_grace_period", node.get("stop_grace_period")));
        }
        if (has(node, "healthcheck")) {
            container.setHealthcheck(health(service, Values.map("healthcheck", node.get("healthcheck")), warnings));
        }
    }

    private static boolean has(YamlNode node, String key) {
        return node.has(key) && !node.get(key).isNull();
    }

    private static HealthConfig health(String service, YamlNode node, Consumer<String> warnings) {
        HealthConfig.Builder h = HealthConfig.newBuilder();
        boolean disabled = false;
        for (var e : node.entries().entrySet()) {
            String k = e.getKey();
            YamlNode v = e.getValue();
            String where = "healthcheck." + k;
            switch (k) {
                case "test" -> h.addAllTest(test(service, v));
                case "disable" -> disabled = Values.bool(where, v);
                case "interval" -> h.setIntervalMs(millis(where, v));
                case "timeout" -> h.setTimeoutMs(millis(where, v));
                case "start_period" -> h.setStartPeriodMs(millis(where, v));
                case "retries" -> h.setRetries((int) Math.min(Integer.MAX_VALUE, Values.integer(where, v)));
                case "start_interval" -> warnings.accept("ignoring healthcheck.start_interval (service " + service
                        + "): checks run every interval, also in the start period");
                default -> {
                    if (!k.startsWith("x-")) {
                        throw new ComposeException(node.keyPosition(k), "unknown key \"" + k + "\" in healthcheck of"
                                + " service " + service + ": use test, interval, timeout, retries, start_period or"
                                + " disable");
                    }
                }
            }
        }
        if (disabled) {
            if (h.getTestCount() > 0 && !h.getTest(0).equals("NONE")) {
                throw new ComposeException(node.keyPosition("disable"), "healthcheck of service " + service
                        + " has both disable: true and a test: remove one of them");
            }
            return HealthConfig.newBuilder().addTest("NONE").build();
        }
        return h.build();
    }

    /** A string runs with the shell; a list starts with NONE, CMD or CMD-SHELL, as in docker. */
    private static List<String> test(String service, YamlNode v) {
        if (v.isScalar()) {
            String command = v.text().strip();
            if (command.isEmpty()) {
                throw new ComposeException(v.position(), "healthcheck.test of service " + service
                        + " is empty: give a command, or disable: true");
            }
            return List.of("CMD-SHELL", command);
        }
        List<String> test = Values.words("healthcheck.test", v, false);
        String first = test.isEmpty() ? "" : test.get(0);
        boolean ok = switch (first) {
            case "NONE" -> test.size() == 1;
            case "CMD" -> test.size() >= 2;
            case "CMD-SHELL" -> test.size() == 2;
            default -> false;
        };
        if (!ok) {
            throw new ComposeException(v.position(), "healthcheck.test of service " + service + " must be [\"CMD\","
                    + " \"prog\", \"arg\"...], [\"CMD-SHELL\", \"command\"] or [\"NONE\"], or a string for the shell");
        }
        return test;
    }

    static long millis(String where, YamlNode v) {
        return Values.parse(where, v, t -> GoDuration.parse(where, t).toMillis());
    }
}
