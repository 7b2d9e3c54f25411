package dev.orch.ctl.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.ctl.CommandFailedException;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.TaskStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConvergenceWatcherTest {
    /** A clock that the fake sleeper moves forward, so waiting costs no real time. */
    private static final class SteppingClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static Task task(long slot, TaskState desired, TaskState state, String err, long ts) {
        return Task.newBuilder().setSlot(slot).setDesiredState(desired)
                .setStatus(TaskStatus.newBuilder().setState(state).setErr(err).setTimestampMs(ts))
                .build();
    }

    @Test
    void countsDistinctRunningSlotsThatShouldRun() {
        List<Task> tasks = List.of(
                task(1, TaskState.RUNNING, TaskState.RUNNING, "", 1),
                task(1, TaskState.RUNNING, TaskState.RUNNING, "", 2), // duplicate slot
                task(2, TaskState.SHUTDOWN, TaskState.RUNNING, "", 3), // being stopped
                task(3, TaskState.RUNNING, TaskState.STARTING, "", 4),
                task(4, TaskState.RUNNING, TaskState.FAILED, "older", 5),
                task(4, TaskState.RUNNING, TaskState.REJECTED, "newest", 6));
        ConvergenceWatcher.Progress progress = ConvergenceWatcher.measure(tasks, 4);
        assertEquals(1, progress.running());
        assertFalse(progress.converged());
        assertEquals("newest", progress.lastError());
        assertTrue(ConvergenceWatcher.measure(List.of(), 0).converged());
    }

    @Test
    void pollsUntilConverged() {
        SteppingClock clock = new SteppingClock();
        AtomicInteger polls = new AtomicInteger();
        List<Task> tasks = new ArrayList<>();
        ConvergenceWatcher watcher = new ConvergenceWatcher(() -> {
            if (polls.incrementAndGet() == 3) {
                tasks.add(task(1, TaskState.RUNNING, TaskState.RUNNING, "", 1));
            }
            return List.copyOf(tasks);
        }, clock, d -> clock.now = clock.now.plus(d));
        assertTrue(watcher.await(1, Duration.ofSeconds(10)).converged());
        assertEquals(3, polls.get());
    }

    @Test
    void givesUpAtTheTimeout() {
        SteppingClock clock = new SteppingClock();
        AtomicInteger polls = new AtomicInteger();
        ConvergenceWatcher watcher = new ConvergenceWatcher(() -> {
            polls.incrementAndGet();
            return List.of();
        }, clock, d -> clock.now = clock.now.plus(d));
        ConvergenceWatcher.Progress progress = watcher.await(2, Duration.ofSeconds(1));
        assertFalse(progress.converged());
        assertEquals(11, polls.get()); // at 0, 100, ..., 1000 ms
    }

    @Test
    void reportPrintsDockersSummaryOrFails() {
        StringWriter text = new StringWriter();
        ConvergenceWatcher.report(new PrintWriter(text),
                "web", new ConvergenceWatcher.Progress(5, 5, true, ""), Duration.ofSeconds(60));
        assertEquals("overall progress: 5 out of 5 tasks\nverify: Service converged\n", text.toString());
        CommandFailedException e = assertThrows(CommandFailedException.class,
                () -> ConvergenceWatcher.report(new PrintWriter(new StringWriter()), "web",
                        new ConvergenceWatcher.Progress(1, 5, false, ""), Duration.ofSeconds(60)));
        assertEquals("service web did not converge within 60 s (1 of 5 tasks running); the manager"
                + " keeps trying: see orchctl service ps web, or set ORCH_WAIT_TIMEOUT to wait "
                + "longer", e.getMessage());
    }
}
