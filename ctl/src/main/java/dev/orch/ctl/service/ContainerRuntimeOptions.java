package dev.orch.ctl.service;

import dev.orch.ctl.UsageException;
import dev.orch.ctl.parse.GoDuration;
import dev.orch.proto.ContainerSpec;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How the container runs: capabilities, user, read-only root, stop signal and grace period. The manager checks capability and signal names; syntax is checked here.
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
    }
}
