package dev.orch.ctl.service;

import dev.orch.ctl.output.HumanDuration;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceMode;
import dev.orch.proto.UpdateState;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * How {@code service ps} and {@code service ls} show a service's lifecycle: the latest update's
 * state in docker's words (updating, paused, completed, rollback_started, rollback_paused,
 * rollback_completed) under the task table, and the REPLICAS column by mode.
 */
final class UpdateStatusLine {
    private UpdateStatusLine() {
    }

    /** One line per service that was ever updated: "web: update rollback_completed (started ...): message". */
    static void print(PrintWriter out, List<Service> services, Instant now) {
        for (Service s : services) {
            if (!s.hasUpdateStatus() || s.getUpdateStatus().getState() == UpdateState.UPDATE_STATE_UNKNOWN) {
                continue;
            }
            var u = s.getUpdateStatus();
            out.println(s.getSpec().getName() + ": update " + state(u.getState()) + " (started "
                    + HumanDuration.agoInSentence(u.getStartedAtMs(), now)
                    + (u.getCompletedAtMs() > 0 ? ", completed " + HumanDuration.agoInSentence(u.getCompletedAtMs(), now)
                    : "") + "): " + u.getMessage());
        }
        out.flush();
    }

    /** docker's spelling of an update state. */
    static String state(UpdateState state) {
        return state == UpdateState.UNRECOGNIZED ? "unknown" : state.name().toLowerCase(Locale.ROOT);
    }

    /** The REPLICAS column: running/desired, and for jobs completed/total. */
    static String replicas(Service s, long running) {
        ServiceMode mode = s.getSpec().getMode();
        long desired = s.hasStatus() ? s.getStatus().getDesiredTasks() : s.getSpec().getReplicas();
        if (mode == ServiceMode.MODE_REPLICATED_JOB || mode == ServiceMode.MODE_GLOBAL_JOB) {
            return running + "/" + desired + " (" + s.getStatus().getCompletedTasks() + "/" + desired + " completed)";
        }
        return running + "/" + (mode == ServiceMode.MODE_GLOBAL && !s.hasStatus() ? "-" : desired);
    }
}
