package dev.orch.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.RestartCondition;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceMode;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.UpdateFailureAction;
import dev.orch.proto.UpdateOrder;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** service create/update lifecycle options and service update's spec changes, over real gRPC. */
class ServiceUpdateCommandsTest {
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

    private ServiceSpec spec(String name) {
        return manager.services.stream().map(Service::getSpec).filter(s -> s.getName().equals(name))
                .findFirst().orElseThrow();
    }

    @Test
    void createSendsUpdateRollbackAndRestartSettings() {
        CtlRun r = run("service", "create", "-d", "--name", "web", "--update-parallelism", "0",
                "--update-delay", "1s", "--update-order", "start-first", "--update-failure-action", "rollback",
                "--update-monitor", "2s", "--update-max-failure-ratio", "0.25", "--rollback-parallelism", "3",
                "--rollback-failure-action", "continue", "--restart-condition", "on-failure",
                "--restart-delay", "0s", "--restart-max-attempts", "3", "--restart-window", "1m", "busybox");
        assertEquals(ExitCodes.OK, r.exitCode(), r.err());
        ServiceSpec s = spec("web");
        assertEquals(0, s.getUpdate().getParallelism());
        assertTrue(s.getUpdate().hasParallelism(), "0 (all at once) is sent, not left for the default");
        assertEquals(1_000, s.getUpdate().getDelayMs());
        assertEquals(UpdateOrder.ORDER_START_FIRST, s.getUpdate().getOrder());
        assertEquals(UpdateFailureAction.FAILURE_ACTION_ROLLBACK, s.getUpdate().getFailureAction());
        assertEquals(2_000, s.getUpdate().getMonitorMs());
        assertEquals(0.25f, s.getUpdate().getMaxFailureRatio());
        assertEquals(3, s.getRollback().getParallelism());
        assertEquals(UpdateFailureAction.FAILURE_ACTION_CONTINUE, s.getRollback().getFailureAction());
        assertEquals(RestartCondition.RESTART_ON_FAILURE, s.getRestart().getCondition());
        assertTrue(s.getRestart().hasDelayMs());
        assertEquals(0, s.getRestart().getDelayMs());
        assertEquals(3, s.getRestart().getMaxAttempts());
        assertEquals(60_000, s.getRestart().getWindowMs());
    }

    @Test
    void createOfAJobSendsTheModeCompletionsAndConcurrency() {
        CtlRun r = run("service", "create", "-d", "--name", "batch", "--mode", "replicated-job", "--replicas", "6",
                "--max-concurrent", "2", "busybox", "true");
        assertEquals(ExitCodes.OK, r.exitCode(), r.err());
        assertEquals(ServiceMode.MODE_REPLICATED_JOB, spec("batch").getMode());
        assertEquals(6, spec("batch").getReplicas());
        assertEquals(2, spec("batch").getMaxConcurrent());
    }

    @Test
    void updateChangesOnlyWhatItNames() {
        run("service", "create", "-d", "--name", "web", "-e", "A=1", "-e", "KEEP=x", "--constraint",
                "node.labels.zone==eu", "--restart-delay", "0s", "busybox", "sleep", "1d");
        CtlRun r = run("service", "update", "-d", "--image", "busybox:2", "--env-add", "B=2", "--env-add", "A=3",
                "--env-rm", "KEEP", "--args", "sh -c 'echo hi; sleep 1d'", "--replicas", "4",
                "--constraint-rm", "node.labels.zone==eu", "--constraint-add", "node.role!=manager",
                "--limit-memory", "64M", "--force", "--update-parallelism", "2", "web");
        assertEquals(ExitCodes.OK, r.exitCode(), r.err());
        assertEquals("web\n", r.out());
        ServiceSpec s = spec("web");
        assertEquals("busybox:2", s.getContainer().getImage());
        assertEquals(List.of("A=3", "B=2"), s.getContainer().getEnvList());
        assertEquals(List.of("sh", "-c", "echo hi; sleep 1d"), s.getContainer().getCommandList());
        assertEquals(4, s.getReplicas());
        assertEquals(List.of("node.role!=manager"), s.getPlacement().getConstraintsList());
        assertEquals(64L << 20, s.getLimits().getMemoryBytes());
        assertEquals(1, s.getForceUpdate());
        assertEquals(2, s.getUpdate().getParallelism());
        assertEquals(0, s.getRestart().getDelayMs(), "settings not named are kept");
        assertTrue(s.getRestart().hasDelayMs());
    }

    @Test
    void badValuesAreRefusedBeforeAnythingIsSent() {
        run("service", "create", "-d", "--name", "web", "busybox");
        ServiceSpec before = spec("web");
        assertEquals("error: invalid --update-order \"random\": use stop-first or start-first",
                run("service", "update", "--update-order", "random", "web").errorLine());
        assertEquals("error: invalid --rollback-failure-action \"rollback\": a rollback cannot roll back;"
                + " use pause or continue", run("service", "update", "--rollback-failure-action", "rollback", "web")
                .errorLine());
        assertEquals("error: invalid --update-max-failure-ratio \"1.5\": use a fraction from 0 to 1 (e.g. 0.2)",
                run("service", "update", "--update-max-failure-ratio", "1.5", "web").errorLine());
        assertEquals("error: invalid --restart-condition \"always\": use none, on-failure or any",
                run("service", "update", "--restart-condition", "always", "web").errorLine());
        assertEquals("error: invalid --args \"sh -c 'x\": unterminated ' quote",
                run("service", "update", "--args", "sh -c 'x", "web").errorLine());
        assertTrue(run("service", "update", "--constraint-rm", "node.labels.zone==eu", "web").errorLine()
                .contains("the service has no such constraint"));
        assertEquals(before, spec("web"));
    }

    @Test
    void updateChangesCapabilitiesUserRootStopAndHealthAsDockerDoes() {
        assertEquals(ExitCodes.OK, run("service", "create", "-d", "--name", "web", "--cap-add", "NET_ADMIN",
                "--cap-drop", "NET_RAW", "--user", "nobody", "--read-only", "--health-cmd", "wget -q localhost",
                "--health-interval", "5s", "busybox", "sleep", "1d").exitCode());
        ServiceSpec created = spec("web");
        assertTrue(created.getContainer().getReadOnly(), "--read-only before the image still means true");
        assertEquals(List.of("sleep", "1d"), created.getContainer().getCommandList());

        CtlRun r = run("service", "update", "-d", "--cap-add", "CAP_NET_RAW", "--cap-add", "SYS_TIME",
                "--cap-drop", "net_admin", "--user", "1000:1000", "--read-only=false", "--stop-signal", "SIGQUIT",
                "--stop-grace-period", "30s", "--health-retries", "5", "web");
        assertEquals(ExitCodes.OK, r.exitCode(), r.err());
        var c = spec("web").getContainer();
        assertEquals(List.of("CAP_NET_RAW", "SYS_TIME"), c.getCapAddList(), "an added capability leaves the dropped");
        assertEquals(List.of("net_admin"), c.getCapDropList(), "a dropped capability leaves the added");
        assertEquals("1000:1000", c.getUser());
        assertTrue(!c.getReadOnly());
        assertEquals("SIGQUIT", c.getStopSignal());
        assertEquals(30_000, c.getStopGracePeriodMs());
        assertEquals(List.of("CMD-SHELL", "wget -q localhost"), c.getHealthcheck().getTestList(), "the command is kept");
        assertEquals(5_000, c.getHealthcheck().getIntervalMs());
        assertEquals(5, c.getHealthcheck().getRetries());
        assertEquals(List.of("sleep", "1d"), c.getCommandList(), "what is not named is kept");

        run("service", "update", "-d", "--no-healthcheck", "--user", "", "web");
        assertEquals(List.of("NONE"), spec("web").getContainer().getHealthcheck().getTestList());
        assertEquals("", spec("web").getContainer().getUser(), "--user '' is the image's USER again");
        run("service", "update", "-d", "--health-cmd", "true", "web");
        assertEquals(List.of("CMD-SHELL", "true"), spec("web").getContainer().getHealthcheck().getTestList());
        run("service", "update", "-d", "--health-cmd", "", "--health-interval", "0s", "--health-retries", "0", "web");
        assertTrue(!spec("web").getContainer().hasHealthcheck(), "--health-cmd '' goes back to the image's check");
    }

    @Test
    void badRuntimeValuesOfUpdateAreRefusedBeforeAnythingIsSent() {
        run("service", "create", "-d", "--name", "web", "busybox");
        ServiceSpec before = spec("web");
        assertEquals("error: --cap-add NET_ADMIN and --cap-drop cap_net_admin conflict: give one or the other",
                run("service", "update", "--cap-add", "NET_ADMIN", "--cap-drop", "cap_net_admin", "web").errorLine());
        assertEquals("error: --no-healthcheck conflicts with --health-* options: give one or the other",
                run("service", "update", "--no-healthcheck", "--health-interval", "1s", "web").errorLine());
        assertTrue(run("service", "update", "--health-cmd", " ", "web").errorLine()
                .startsWith("error: --health-cmd is empty: give a command"));
        assertEquals("error: invalid --user \"a b\": use a name or uid, optionally :group",
                run("service", "update", "--user", "a b", "web").errorLine());
        assertTrue(run("service", "update", "--stop-grace-period", "ten", "web").errorLine()
                .startsWith("error: invalid --stop-grace-period"));
        assertEquals(before, spec("web"));
    }
}
