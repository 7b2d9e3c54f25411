package dev.orch.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.proto.Meta;
import dev.orch.proto.Node;
import dev.orch.proto.NodeDescription;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.TaskState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The service commands over real gRPC against {@link FakeManager}. */
class ServiceCommandsTest {
    private FakeManager manager;

    @BeforeEach
    void start() throws Exception {
        manager = new FakeManager();
    }

    @AfterEach
    void stop() throws Exception {
        manager.close();
    }

    private CtlRun run(String... args) {
        return CtlRun.run(manager.env(), args);
    }

    private Service service(String name) {
        return manager.services.stream().filter(s -> s.getSpec().getName().equals(name))
                .findFirst().orElseThrow();
    }

    @Test
    void createDetachedSendsTheWholeSpecAndPrintsOnlyTheId() {
        Map<String, String> env = new HashMap<>(manager.env());
        env.put("FROM_SHELL", "yes");
        CtlRun run = CtlRun.run(env, "service", "create", "--name", "web", "--replicas", "3",
                "-e", "A=1", "--env", "FROM_SHELL", "--limit-memory", "64M", "--limit-cpu", "0.5",
                "--reserve-memory", "32m", "--reserve-cpu", "0.25", "--hostname", "h1",
                "--workdir", "/srv", "-d", "busybox:latest", "sh", "-c", "echo hi; sleep 1d");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        ServiceSpec spec = service("web").getSpec();
        assertEquals(service("web").getMeta().getId() + "\n", run.out());
        assertEquals(3, spec.getReplicas());
        assertEquals("busybox:latest", spec.getContainer().getImage());
        assertEquals(List.of("sh", "-c", "echo hi; sleep 1d"), spec.getContainer().getCommandList());
        assertEquals(List.of("A=1", "FROM_SHELL=yes"), spec.getContainer().getEnvList());
        assertEquals(64L << 20, spec.getLimits().getMemoryBytes());
        assertEquals(500_000_000L, spec.getLimits().getNanoCpus());
        assertEquals(32L << 20, spec.getReservations().getMemoryBytes());
        assertEquals(250_000_000L, spec.getReservations().getNanoCpus());
        assertEquals("h1", spec.getContainer().getHostname());
        assertEquals("/srv", spec.getContainer().getWorkdir());
    }

    @Test
    void createWaitsAndReportsConvergence() {
        CtlRun run = run("service", "create", "--name", "web", "--replicas", "5", "busybox");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals(service("web").getMeta().getId() + "\n"
                + "overall progress: 5 out of 5 tasks\n"
                + "verify: Service converged\n", run.out());
    }

    @Test
    void createThatDoesNotConvergeSaysWhyAndWhereToLook() {
        manager.startTasks = false;
        Map<String, String> env = new HashMap<>(manager.env());
        env.put("ORCH_WAIT_TIMEOUT", "1");
        CtlRun run = CtlRun.run(env, "service", "create", "--name", "web", "--replicas", "2",
                "busybox");
        assertEquals(ExitCodes.FAILURE, run.exitCode());
        assertTrue(run.out().endsWith("overall progress: 0 out of 2 tasks\n"), run.out());
        assertEquals("error: service web did not converge within 1 s (0 of 2 tasks running; last "
                + "task error: \"no suitable node (1 node lacks 64 MiB of memory)\"); the manager "
                + "keeps trying: see orchctl service ps web, or set ORCH_WAIT_TIMEOUT to wait longer",
                run.errorLine());
    }

    @Test
    void serverErrorsArePassedOn() {
        CtlRun run = run("service", "create", "--name", "bad name", "-d", "busybox");
        assertEquals(ExitCodes.FAILURE, run.exitCode());
        assertEquals("error: invalid service name \"bad name\": use letters, digits, '-' and '_'",
                run.errorLine());
    }

    @Test
    void listShowsRunningOverDesired() {
        run("service", "create", "--name", "web", "--replicas", "2", "-d", "nginx:1");
        manager.startTasks = false;
        run("service", "create", "--name", "api", "--replicas", "1", "-d", "app:2");
        CtlRun run = run("service", "ls");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        String api = service("api").getMeta().getId().substring(0, 12);
        String web = service("web").getMeta().getId().substring(0, 12);
        assertEquals("ID             NAME   MODE         REPLICAS   IMAGE\n"
                + api + "   api    replicated   0/1        app:2\n"
                + web + "   web    replicated   2/2        nginx:1\n", run.out());
    }

    @Test
    void listAsJson() throws Exception {
        run("service", "create", "--name", "web", "-d", "nginx:1");
        CtlRun run = run("service", "ls", "--format", "json");
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals("web", json.get(0).get("spec").get("name").asText());
    }

    @Test
    void psGroupsHistoryUnderTheCurrentTask() {
        manager.nodes.add(Node.newBuilder().setMeta(Meta.newBuilder().setId(FakeManager.NODE_ID))
                .setDescription(NodeDescription.newBuilder().setHostname("host-1")).build());
        run("service", "create", "--name", "web", "--replicas", "2", "-d", "nginx:1");
        Service web = service("web");
        manager.tasks.add(0, manager.task(web, 1, TaskState.FAILED, "exit status 1")
                .toBuilder().setDesiredState(TaskState.SHUTDOWN)
                .setMeta(Meta.newBuilder().setId("old-task-id-0001").setCreatedAtMs(1)).build());
        CtlRun run = run("service", "ps", "web");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        String current1 = manager.tasks.get(1).getMeta().getId().substring(0, 12);
        String current2 = manager.tasks.get(2).getMeta().getId().substring(0, 12);
        assertEquals(""
                + "ID             NAME        IMAGE     NODE     DESIRED STATE   CURRENT STATE"
                + "                    ERROR\n"
                + current1 + "   web.1       nginx:1   host-1   Running         Running less than a "
                + "second ago\n"
                + "old-task-id-    \\_ web.1   nginx:1   host-1   Shutdown        Failed less than a "
                + "second ago    \"exit status 1\"\n"
                + current2 + "   web.2       nginx:1   host-1   Running         Running less than a "
                + "second ago\n", run.out());
    }

    @Test
    void psOfAnUnknownServiceIsTheServersNotFound() {
        CtlRun run = run("service", "ps", "nope");
        assertEquals(ExitCodes.FAILURE, run.exitCode());
        assertEquals("error: service nope not found", run.errorLine());
    }

    @Test
    void inspectPrintsAnArrayAndReportsMissingOnes() throws Exception {
        run("service", "create", "--name", "web", "-d", "nginx:1");
        CtlRun run = run("service", "inspect", "web", "nope");
        assertEquals(ExitCodes.FAILURE, run.exitCode());
        assertEquals("error: service nope not found", run.errorLine());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals(1, json.size());
        assertEquals(service("web").getMeta().getId(), json.get(0).get("meta").get("id").asText());
    }

    @Test
    void scaleRetriesOnceOnAVersionConflict() {
        run("service", "create", "--name", "web", "-d", "nginx:1");
        manager.conflictsToInject = 1;
        CtlRun run = run("service", "scale", "web=5");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals("web scaled to 5\n", run.out());
        assertEquals(5, service("web").getSpec().getReplicas());
        assertEquals("nginx:1", service("web").getSpec().getContainer().getImage());
    }

    @Test
    void scaleGivesUpAfterTwoConflictsAndGoesOnWithTheRest() {
        run("service", "create", "--name", "web", "-d", "nginx:1");
        run("service", "create", "--name", "api", "-d", "app:1");
        manager.conflictsToInject = 2;
        CtlRun run = run("service", "scale", "web=5", "api=0");
        assertEquals(ExitCodes.FAILURE, run.exitCode());
        assertTrue(run.errorLine().startsWith("error: service web changed since version"),
                run.err());
        assertEquals("api scaled to 0\n", run.out());
        assertEquals(0, service("api").getSpec().getReplicas());
    }

    @Test
    void removePrintsEachNameAndReportsMissingOnes() {
        run("service", "create", "--name", "web", "-d", "nginx:1");
        run("service", "create", "--name", "api", "-d", "app:1");
        CtlRun run = run("service", "rm", "web", "nope", "api");
        assertEquals(ExitCodes.FAILURE, run.exitCode());
        assertEquals("web\napi\n", run.out());
        assertEquals("error: service nope not found", run.errorLine());
        assertTrue(manager.services.isEmpty());
    }
}
