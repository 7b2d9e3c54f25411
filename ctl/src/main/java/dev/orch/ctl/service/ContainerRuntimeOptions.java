package dev.orch.ctl.service;

import dev.orch.ctl.UsageException;
import dev.orch.ctl.parse.GoDuration;
import dev.orch.ctl.parse.ReplicaCount;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.HealthConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How the container runs: capabilities, user, read-only root, stop signal and grace period, and
 * its health check; for {@code service create} ({@link #applyTo}) and, with docker's update
 * semantics, {@code service update} ({@link #updateFrom}). The manager checks capability and
 * signal names; syntax is checked here.
 */
final class ContainerRuntimeOptions {
    @Option(names = "--cap-add", paramLabel = "CAP", description = "Add a capability (e.g. NET_ADMIN, or ALL).")
    List<String> capAdd = new ArrayList<>();

    @Option(names = "--cap-drop", paramLabel = "CAP", description = "Drop a capability (e.g. NET_RAW, or ALL).")
    List<String> capDrop = new ArrayList<>();

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]",
            description = "Run as this user (name or uid) instead of the image's USER.")
    String user;

    @Option(names = "--read-only", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "Mount the container's root filesystem read-only (--read-only=false: writable).")
    Boolean readOnly;

    @Option(names = "--stop-signal", paramLabel = "SIGNAL",
            description = "Signal that stops the container (default: the image's STOPSIGNAL, else SIGTERM).")
    String stopSignal;

    @Option(names = "--stop-grace-period", paramLabel = "DURATION",
            description = "Time between the stop signal and SIGKILL (default 10s).")
    String stopGracePeriod;

    @Option(names = "--health-cmd", paramLabel = "COMMAND",
            description = "Command run inside the container to check its health (with /bin/sh -c);"
                    + " on update, '' goes back to the image's check.")
    String healthCmd;

    @Option(names = "--health-interval", paramLabel = "DURATION", description = "Time between checks (default 30s).")
    String healthInterval;

    @Option(names = "--health-timeout", paramLabel = "DURATION", description = "Time a check may take (default 30s).")
    String healthTimeout;

    @Option(names = "--health-retries", paramLabel = "N",
            description = "Consecutive failures that make the task unhealthy (default 3).")
    String healthRetries;

    @Option(names = "--health-start-period", paramLabel = "DURATION",
            description = "Failures during this time after start do not count (default 0s).")
    String healthStartPeriod;

    @Option(names = "--no-healthcheck", description = "Disable any health check, the image's included.")
    boolean noHealthcheck;

    /** service create: the container as the options describe it. */
    void applyTo(ContainerSpec.Builder container) {
        container.addAllCapAdd(capAdd).addAllCapDrop(capDrop).setReadOnly(Boolean.TRUE.equals(readOnly));
        if (user != null) {
            container.setUser(checkedUser(false));
        }
        applyStop(container);
        HealthConfig health = health(HealthConfig.getDefaultInstance(), false);
        if (health != null) {
            container.setHealthcheck(health);
        }
    }

    /**
     * service update: {@code current} with what the options name changed, as docker does. A
     * capability added is taken off the dropped ones and the other way round; {@code --user ''}
     * goes back to the image's USER; health options change only the fields they name.
     */
    void updateFrom(ContainerSpec current, ContainerSpec.Builder container) {
        for (String cap : capAdd) {
            capDrop.stream().filter(d -> sameCapability(d, cap)).findFirst().ifPresent(d -> {
                throw new UsageException("--cap-add " + cap + " and --cap-drop " + d + " conflict: give one or the other");
            });
        }
        if (!capAdd.isEmpty() || !capDrop.isEmpty()) {
            List<String> add = new ArrayList<>(current.getCapAddList());
            List<String> drop = new ArrayList<>(current.getCapDropList());
            moveCapabilities(capAdd, drop, add);
            moveCapabilities(capDrop, add, drop);
            container.clearCapAdd().addAllCapAdd(add).clearCapDrop().addAllCapDrop(drop);
        }
        if (user != null) {
            container.setUser(checkedUser(true));
        }
        if (readOnly != null) {
            container.setReadOnly(readOnly);
        }
        applyStop(container);
        HealthConfig health = health(current.getHealthcheck(), true);
        if (health != null) {
            if (health.equals(HealthConfig.getDefaultInstance())) {
                container.clearHealthcheck();
            } else {
                container.setHealthcheck(health);
            }
        }
    }

    /** Each of {@code caps} leaves {@code from} and joins {@code to} (once). */
    private static void moveCapabilities(List<String> caps, List<String> from, List<String> to) {
        for (String cap : caps) {
            from.removeIf(c -> sameCapability(c, cap));
            if (to.stream().noneMatch(c -> sameCapability(c, cap))) {
                to.add(cap);
            }
        }
    }

    /** NET_ADMIN, net_admin and CAP_NET_ADMIN name one capability. */
    private static boolean sameCapability(String a, String b) {
        return capabilityKey(a).equals(capabilityKey(b));
    }

    private static String capabilityKey(String cap) {
        String upper = cap.strip().toUpperCase(java.util.Locale.ROOT);
        return upper.startsWith("CAP_") ? upper.substring(4) : upper;
    }

    private String checkedUser(boolean emptyMeansImage) {
        if ((user.isBlank() && !(emptyMeansImage && user.isEmpty())) || user.contains(" ")) {
            throw new UsageException("invalid --user \"" + user + "\": use a name or uid, optionally :group");
        }
        return user;
    }

    private void applyStop(ContainerSpec.Builder container) {
        if (stopSignal != null) {
            container.setStopSignal(stopSignal.strip());
        }
        if (stopGracePeriod != null) {
            container.setStopGracePeriodMs(GoDuration.parse("--stop-grace-period", stopGracePeriod).toMillis());
        }
    }

    /**
     * The health check the options ask for, starting from {@code current} (empty for create or a
     * service without one of its own); null when no health option is given.
     */
    private HealthConfig health(HealthConfig current, boolean update) {
        boolean tuning = healthInterval != null || healthTimeout != null || healthRetries != null
                || healthStartPeriod != null;
        if (noHealthcheck) {
            if (healthCmd != null || tuning) {
                throw new UsageException("--no-healthcheck conflicts with --health-* options: give one or the other");
            }
            return HealthConfig.newBuilder().addTest("NONE").build();
        }
        if (healthCmd == null && !tuning) {
            return null;
        }
        HealthConfig.Builder h = current.toBuilder();
        if (h.getTestList().equals(List.of("NONE"))) {
            h.clearTest(); // a health option turns a disabled check back on
        }
        if (healthCmd != null) {
            h.clearTest();
            if (healthCmd.isBlank() && !(update && healthCmd.isEmpty())) {
                throw new UsageException("--health-cmd is empty: give a command, e.g. --health-cmd 'wget -q -O- localhost'"
                        + (update ? " (--health-cmd '' goes back to the image's check)" : ""));
            }
            if (!healthCmd.isEmpty()) {
                h.addTest("CMD-SHELL").addTest(healthCmd);
            }
        }
        if (healthInterval != null) {
            h.setIntervalMs(GoDuration.parse("--health-interval", healthInterval).toMillis());
        }
        if (healthTimeout != null) {
            h.setTimeoutMs(GoDuration.parse("--health-timeout", healthTimeout).toMillis());
        }
        if (healthRetries != null) {
            h.setRetries((int) Math.min(Integer.MAX_VALUE, ReplicaCount.parse("--health-retries", healthRetries)));
        }
        if (healthStartPeriod != null) {
            h.setStartPeriodMs(GoDuration.parse("--health-start-period", healthStartPeriod).toMillis());
        }
        return h.build();
    }
}
