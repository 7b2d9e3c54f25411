package dev.orch.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.proto.Meta;
import dev.orch.proto.Node;
import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeDescription;
import dev.orch.proto.NodeRole;
import dev.orch.proto.NodeSpec;
import dev.orch.proto.NodeState;
import dev.orch.proto.NodeStatus;
import dev.orch.proto.UpdateNodeRequest;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** node inspect, update and rm over mutual TLS against {@link FakeManager}. */
class NodeCommandsTest {
    private static final String WORKER_ID = "nworker00000000000000000001";
    private static final String MANAGER_ID = "nmanager0000000000000000001";
    private FakeManager manager;

    @BeforeEach
    void start() throws Exception {
        manager = new FakeManager();
        manager.nodes.add(Node.newBuilder()
                .setMeta(Meta.newBuilder().setId(WORKER_ID).setVersion(40))
                .setSpec(NodeSpec.newBuilder().setRole(NodeRole.WORKER)
                        .setAvailability(NodeAvailability.ACTIVE)
                        .putLabels("zone", "eu-1").putLabels("disk", "hdd"))
                .setDescription(NodeDescription.newBuilder().setHostname("worker-1"))
                .setStatus(NodeStatus.newBuilder().setState(NodeState.NODE_DOWN))
                .build());
        manager.nodes.add(Node.newBuilder()
                .setMeta(Meta.newBuilder().setId(MANAGER_ID).setVersion(41))
                .setSpec(NodeSpec.newBuilder().setRole(NodeRole.MANAGER))
                .setDescription(NodeDescription.newBuilder().setHostname("manager-1"))
                .setStatus(NodeStatus.newBuilder().setState(NodeState.NODE_READY))
                .build());
    }

    @AfterEach
    void stop() throws Exception {
        manager.close();
    }

    private CtlRun run(String... args) {
        return CtlRun.run(manager.env(), args);
    }

    private Node node(String id) {
        return manager.nodes.stream().filter(n -> n.getMeta().getId().equals(id)).findFirst()
                .orElseThrow();
    }

    @Test
    void inspectPrintsAnArrayAndReportsMissingOnes() throws Exception {
        CtlRun run = run("node", "inspect", "worker-1", "nope", "nmanager");
        assertEquals(ExitCodes.FAILURE, run.exitCode());
        assertEquals("error: node nope not found", run.errorLine());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals(2, json.size());
        assertEquals(WORKER_ID, json.get(0).get("meta").get("id").asText());
        assertEquals("eu-1", json.get(0).get("spec").get("labels").get("zone").asText());
        assertEquals("MANAGER", json.get(1).get("spec").get("role").asText());
    }

    @Test
    void updateChangesAvailabilityAndLabelsAndKeepsTheRest() {
        CtlRun run = run("node", "update", "--availability", "drain", "--label-add", "zone=eu-2",
                "--label-add", "gpu", "--label-add", "tier=a=b", "--label-rm", "disk", "worker-1");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals(WORKER_ID + "\n", run.out());
        UpdateNodeRequest request = manager.nodeUpdates.get(0);
        assertEquals(WORKER_ID, request.getNode());
        assertEquals(40, request.getVersion());
        assertEquals(NodeSpec.newBuilder().setRole(NodeRole.WORKER)
                .setAvailability(NodeAvailability.DRAIN)
                .putAllLabels(Map.of("zone", "eu-2", "gpu", "", "tier", "a=b")).build(),
                request.getSpec());
        assertEquals(NodeAvailability.DRAIN, node(WORKER_ID).getSpec().getAvailability());
    }

    @Test
    void updateOfOnlyLabelsKeepsTheAvailability() {
        CtlRun run = run("node", "update", "--label-rm", "zone", "nworker");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals(NodeSpec.newBuilder().setRole(NodeRole.WORKER)
                .setAvailability(NodeAvailability.ACTIVE).putLabels("disk", "hdd").build(),
                node(WORKER_ID).getSpec());
        run = run("node", "update", "--availability", "Pause", "manager-1");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals(NodeSpec.newBuilder().setRole(NodeRole.MANAGER)
                .setAvailability(NodeAvailability.PAUSE).build(), node(MANAGER_ID).getSpec());
    }

    @Test
    void updateRetriesOnceOnAVersionConflict() {
        manager.conflictsToInject = 1;
        CtlRun run = run("node", "update", "--availability", "pause", "worker-1");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals(2, manager.nodeUpdates.size());
        assertEquals(NodeAvailability.PAUSE, node(WORKER_ID).getSpec().getAvailability());
    }

    @Test
    void updateGivesUpAfterTwoConflicts() {
        manager.conflictsToInject = 2;
        CtlRun run = run("node", "update", "--availability", "pause", "worker-1");
        assertEquals(ExitCodes.FAILURE, run.exitCode());
        assertTrue(run.errorLine().startsWith("error: node " + WORKER_ID + " changed since version"),
                run.err());
    }

    @Test
    void removingALabelTheNodeDoesNotHaveFailsWithoutWriting() {
        CtlRun run = run("node", "update", "--label-rm", "gpu", "worker-1");
        assertEquals(ExitCodes.FAILURE, run.exitCode());
        assertEquals("error: node worker-1 has no label \"gpu\" to remove", run.errorLine());
        assertTrue(manager.nodeUpdates.isEmpty());
    }

    @Test
    void badAvailabilityIsAUsageErrorAndSendsNothing() {
        CtlRun run = run("node", "update", "--availability", "x", "worker-1");
        assertEquals(ExitCodes.USAGE, run.exitCode());
        assertEquals("error: invalid --availability \"x\": use active, pause or drain",
                run.errorLine());
        assertEquals("", run.out());
        assertTrue(manager.nodeUpdates.isEmpty());
    }

    @Test
    void updateOfAnUnknownNodeIsTheServersNotFound() {
        CtlRun run = run("node", "update", "--availability", "drain", "nope");
        assertEquals(ExitCodes.FAILURE, run.exitCode());
        assertEquals("error: node nope not found", run.errorLine());
    }

    @Test
    void removePrintsEachNameAndReportsRefusals() {
        CtlRun run = run("node", "rm", "worker-1", "manager-1", "nope");
        assertEquals(ExitCodes.FAILURE, run.exitCode());
        assertEquals("worker-1\n", run.out());
        assertEquals("error: node manager-1 is ready; drain it and stop orchd there first, or use "
                + "--force\nerror: node nope not found\n", run.err());
        assertEquals(1, manager.nodes.size());
        assertFalse(manager.nodeRemovals.get(0).getForce());
    }

    @Test
    void forceRemovesAReadyNode() {
        CtlRun run = run("node", "rm", "-f", "manager-1");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals("manager-1\n", run.out());
        assertTrue(manager.nodeRemovals.get(0).getForce());
        run = run("node", "remove", "--force", "worker-1");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertTrue(manager.nodes.isEmpty());
    }
}
