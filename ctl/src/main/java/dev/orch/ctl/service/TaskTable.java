package dev.orch.ctl.service;

import dev.orch.ctl.output.DisplayNames;
import dev.orch.ctl.output.HumanDuration;
import dev.orch.ctl.output.Table;
import dev.orch.proto.Task;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The {@code service ps} table, as docker lays it out: tasks grouped by slot, the newest task of a
 * slot named {@code web.1} and the older ones (its history) {@code  \_ web.1} beneath it.
 */
public final class TaskTable {
    /** docker's width for the ERROR column; longer messages end with an ellipsis. */
    static final int MAX_ERROR_LENGTH = 30;

    private TaskTable() {
    }

    static Comparator<Task> order() {
        return Comparator.comparing(Task::getServiceName)
                .thenComparingLong(Task::getSlot)
                .thenComparing(Comparator.comparingLong((Task t) -> t.getMeta().getCreatedAtMs())
                        .reversed())
                .thenComparing(Comparator.comparingLong((Task t) -> t.getMeta().getVersion())
                        .reversed());
    }

    /**
     * @param nodeNames node id to hostname, for the NODE column
     * @param noTrunc   print whole ids and errors
     */
    public static Table build(List<Task> tasks, Map<String, String> nodeNames, Instant now,
            boolean noTrunc) {
        Table table = new Table("ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE",
                "ERROR");
        String previousSlot = null;
        for (Task task : tasks.stream().sorted(order()).toList()) {
            String slot = task.getServiceName() + "." + task.getSlot();
            String name = slot.equals(previousSlot) ? " \\_ " + slot : slot;
            previousSlot = slot;
            String id = task.getMeta().getId();
            table.row(noTrunc ? id : DisplayNames.shortId(id), name,
                    task.getSpec().getContainer().getImage(), node(task, nodeNames),
                    DisplayNames.of(task.getDesiredState()), currentState(task, now),
                    error(task.getStatus().getErr(), noTrunc));
        }
        return table;
    }

    private static String node(Task task, Map<String, String> nodeNames) {
        String nodeId = task.getNodeId();
        return nodeId.isEmpty() ? "" : nodeNames.getOrDefault(nodeId, DisplayNames.shortId(nodeId));
    }

    /**
     * "Running 3 seconds ago", "Running (healthy) 3 seconds ago" for a health-checked task; just
     * the state when the manager has no time for it.
     */
    static String currentState(Task task, Instant now) {
        String state = DisplayNames.of(task.getStatus().getState());
        if (task.getStatus().getState() == dev.orch.proto.TaskState.RUNNING) {
            state += switch (task.getStatus().getHealth()) {
                case HEALTH_STARTING -> " (health: starting)";
                case HEALTH_HEALTHY -> " (healthy)";
                case HEALTH_UNHEALTHY -> " (unhealthy)";
                default -> "";
            };
        }
        long timestamp = task.getStatus().getTimestampMs();
        return timestamp <= 0 ? state : state + " " + HumanDuration.agoInSentence(timestamp, now);
    }

    static String error(String error, boolean noTrunc) {
        if (error.isEmpty()) {
            return "";
        }
        String oneLine = error.strip().replaceAll("\\s*\\R\\s*", " ");
        if (!noTrunc && oneLine.length() > MAX_ERROR_LENGTH) {
            oneLine = oneLine.substring(0, MAX_ERROR_LENGTH - 1) + "…";
        }
        return "\"" + oneLine + "\"";
    }
}
