package dev.orch.ctl.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.TaskStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TaskTableTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    @Test
    void currentStateReadsLikeDocker() {
        Task task = Task.newBuilder().setStatus(TaskStatus.newBuilder().setState(TaskState.RUNNING)
                .setTimestampMs(NOW.minusSeconds(3).toEpochMilli())).build();
        assertEquals("Running 3 seconds ago", TaskTable.currentState(task, NOW));
        Task old = task.toBuilder().setStatus(task.getStatus().toBuilder()
                .setTimestampMs(NOW.minusSeconds(90).toEpochMilli())).build();
        assertEquals("Running about a minute ago", TaskTable.currentState(old, NOW));
        Task noTime = Task.newBuilder().setStatus(TaskStatus.newBuilder()
                .setState(TaskState.PENDING)).build();
        assertEquals("Pending", TaskTable.currentState(noTime, NOW));
    }

    @Test
    void errorsAreQuotedAndShortenedUnlessNoTrunc() {
        String long40 = "no suitable node (3 nodes lack memory)!!";
        assertEquals("", TaskTable.error("", false));
        assertEquals("\"exit status 1\"", TaskTable.error("exit status 1", false));
        assertEquals("\"no suitable node (3 nodes lac…\"", TaskTable.error(long40, false));
        assertEquals("\"" + long40 + "\"", TaskTable.error(long40, true));
        assertEquals("\"line one line two\"", TaskTable.error("line one\nline two", true));
    }
}
