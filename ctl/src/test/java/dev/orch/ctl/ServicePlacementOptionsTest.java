package dev.orch.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Placement;
import dev.orch.proto.PlacementStrategy;
import dev.orch.proto.ServiceMode;
import dev.orch.proto.ServiceSpec;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code service create} placement options, sent over real gRPC to {@link FakeManager}. */
class ServicePlacementOptionsTest {
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

    private ServiceSpec sent() {
        assertEquals(1, manager.services.size());
        return manager.services.get(0).getSpec();
    }

    @Test
    void sendsConstraintsPreferencesAndLimits() {
        CtlRun run = run("service", "create", "--name", "web", "-d",
                "--constraint", "node.labels.zone==eu", "--constraint", " node.role != manager ",
                "--placement-pref", "spread=node.labels.dc", "--placement-pref", "spread=node.labels.rack",
                "--replicas-max-per-node", "2", "--placement-strategy", "binpack", "busybox");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        Placement p = sent().getPlacement();
        assertEquals(List.of("node.labels.zone==eu", "node.role != manager"), p.getConstraintsList());
        assertEquals(List.of("node.labels.dc", "node.labels.rack"),
                p.getPreferencesList().stream().map(x -> x.getSpread()).toList());
        assertEquals(2, p.getMaxReplicasPerNode());
        assertEquals(PlacementStrategy.STRATEGY_BINPACK, p.getStrategy());
        assertEquals(ServiceMode.MODE_REPLICATED, sent().getMode());
    }

    @Test
    void modeGlobalIsSentWithoutReplicas() {
        CtlRun run = run("service", "create", "--name", "agent", "-d", "--mode", "global", "busybox");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals(ServiceMode.MODE_GLOBAL, sent().getMode());
        assertEquals(0, sent().getReplicas());
    }

    @Test
    void refusesMalformedOptionsBeforeSendingAnything() {
        assertEquals("error: invalid --constraint \"zone=eu\": use KEY==VALUE or KEY!=VALUE"
                + " (e.g. node.labels.zone==eu)",
                run("service", "create", "--constraint", "zone=eu", "busybox").errorLine());
        assertEquals("error: invalid --placement-pref \"pack=node.labels.zone\": use spread=DESCRIPTOR"
                + " (e.g. spread=node.labels.zone)",
                run("service", "create", "--placement-pref", "pack=node.labels.zone", "busybox").errorLine());
        assertEquals("error: invalid --mode \"daemon\": use replicated, global, replicated-job or global-job",
                run("service", "create", "--mode", "daemon", "busybox").errorLine());
        assertEquals("error: invalid --replicas-max-per-node \"-1\": must be a whole number >= 0",
                run("service", "create", "--replicas-max-per-node", "-1", "busybox").errorLine());
        assertTrue(run("service", "create", "--mode", "global", "--replicas", "3", "busybox").errorLine()
                .startsWith("error: --replicas cannot be used with --mode global"));
        assertTrue(manager.services.isEmpty());
    }
}
