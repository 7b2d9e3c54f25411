package dev.orch.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.LogLine;
import dev.orch.proto.Meta;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** service logs --since and -t over real gRPC against {@link FakeManager}. */
class ServiceLogsTest {
    private static final String TASK_ID = "task-abcdef1234567890000001";
    private FakeManager manager;

    @BeforeEach
    void start() throws Exception {
        manager = new FakeManager();
        manager.services.add(Service.newBuilder().setMeta(Meta.newBuilder().setId("svc-000000000000000000001"))
                .setSpec(ServiceSpec.newBuilder().setName("web")).build());
        manager.logLines.add(line("stdout", "2026-11-25T10:00:01.000000001Z", "hello"));
        manager.logLines.add(line("stderr", "2026-11-25T10:00:02.5Z", "oops"));
        manager.logLines.add(line("", null, "from an older log"));
    }

    @AfterEach
    void stop() throws Exception {
        manager.close();
    }

    private static LogLine line(String stream, String time, String text) {
        LogLine.Builder b = LogLine.newBuilder().setTaskId(TASK_ID).setTaskName("web.1").setNodeHostname("node1")
                .setStream(stream).setLine(text);
        if (time != null) {
            Instant t = Instant.parse(time);
            b.setTimeUnixNanos(t.getEpochSecond() * 1_000_000_000L + t.getNano());
        }
        return b.build();
    }

    @Test
    void timestampsComeFirstAndStderrLinesGoToStderr() {
        CtlRun run = CtlRun.run(manager.env(), "service", "logs", "-t", "--since", "2026-11-25T10:00:00.5+01:00", "web");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("2026-11-25T10:00:01.000000001Z web.1.task-abcdef1@node1 | hello\n"
                + "web.1.task-abcdef1@node1 | from an older log\n", run.out());
        assertEquals("2026-11-25T10:00:02.500000000Z web.1.task-abcdef1@node1 | oops\n", run.err());
        assertEquals("web", manager.logRequests.get(0).getService());
        assertEquals(Instant.parse("2026-11-25T09:00:00.5Z").toEpochMilli() * 1_000_000L,
                manager.logRequests.get(0).getSinceUnixNanos());
    }

    @Test
    void withoutOptionsThereIsNoTimeAndNoSince() {
        CtlRun run = CtlRun.run(manager.env(), "service", "logs", "--no-task-ids", "web");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("web.1@node1 | hello\n"), run.out());
        assertFalse(manager.logRequests.get(0).hasSinceUnixNanos());
    }

    @Test
    void aBadSinceIsOneUsageErrorAndNothingIsAsked() {
        CtlRun run = CtlRun.run(manager.env(), "service", "logs", "--since", "yesterday", "web");
        assertEquals(ExitCodes.USAGE, run.exitCode());
        assertTrue(run.errorLine().startsWith("error: invalid --since \"yesterday\": give an RFC 3339 time"),
                run.err());
        assertTrue(manager.logRequests.isEmpty());
    }
}
