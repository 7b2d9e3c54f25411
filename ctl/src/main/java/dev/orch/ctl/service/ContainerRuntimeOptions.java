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
 * its health check. The manager checks capability and signal names; syntax is checked here.
 */
final class ContainerRuntimeOptions {
    @Option(names = "--cap-add", paramLabel = "CAP", description = "Add a capability (e.g. NET_ADMIN, or ALL).")
    List<String> capAdd = new ArrayList<>();

    @Option(names = "--cap-drop", paramLabel = "CAP", description = "Drop a capability (e.g. NET_RAW, or ALL).")
    List<String> capDrop = new ArrayList<>();

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]",
            description = "Run as this user (name or uid) instead of the image's USER.")
    String user;

    @Option(names = "--read-only", description = "Mount the container's root filesystem read-only.")
    boolean readOnly;

    @Option(names = "--stop-signal", paramLabel = "SIGNAL",
            description = "Signal that stops the container (default: the image's STOPSIGNAL, else SIGTERM).")
    String stopSignal;

    @Option(names = "--stop-grace-period", paramLabel = "DURATION",
            description = "Time between the stop signal and SIGKILL (default 10s).")
    String stopGracePeriod;

    @Option(names = "--health-cmd", paramLabel = "COMMAND",
            description = "Command run inside the container to check its health (with /bin/sh -c).")
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


    void applyTo(ContainerSpec.Builder container) {
        container.addAllCapAdd(capAdd).addAllCapDrop(capDrop).setReadOnly(readOnly);
        if (user != null) {
            if (user.isBlank() || user.contains(" ")) {
                throw new UsageException("invalid --user \"" + user + "\": use a name or uid, optionally :group");
            }
            container.setUser(user);
        }
        if (stopSignal != null) {
            container.setStopSignal(stopSignal.strip());
        }
        if (stopGracePeriod != null) {
            container.setStopGracePeriodMs(GoDuration.parse("--stop-grace-period", stopGracePeriod).toMillis());
        }
        HealthConfig health = health();
        if (health != null) {
            container.setHealthcheck(health);
        }
    }

    private HealthConfig health() {
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
        HealthConfig.Builder h = HealthConfig.newBuilder();
        if (healthCmd != null) {
            if (healthCmd.isBlank()) {
                throw new UsageException("--health-cmd is empty: give a command, e.g. --health-cmd 'wget -q -O- localhost'");
            }
            h.addTest("CMD-SHELL").addTest(healthCmd);
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
