package dev.orch.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.proto.GetJoinTokensRequest;
import dev.orch.proto.RootCA;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** swarm join-token, update and inspect over mutual TLS against {@link FakeManager}. */
class SwarmCommandsTest {
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

    @Test
    void joinTokenPrintsTheJoinCommandLikeDocker() {
        CtlRun run = run("swarm", "join-token", "worker");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals("To add a worker to this swarm, run the following command:\n\n"
                + "    orchd join --token " + manager.workerToken + " --data-dir /var/lib/orch "
                + "--advertise-addr <this node's IP> 10.0.0.1:4242\n", run.out());
        assertEquals(List.of(GetJoinTokensRequest.getDefaultInstance()), manager.joinTokenRequests);

        run = run("swarm", "join-token", "manager");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals("To add a manager to this swarm, run the following command:\n\n"
                + "    orchd join --token " + manager.managerToken + " --data-dir /var/lib/orch "
                + "--advertise-addr <this node's IP> 10.0.0.1:4242\n", run.out());
    }

    @Test
    void quietPrintsOnlyTheToken() {
        CtlRun run = run("swarm", "join-token", "-q", "manager");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals(manager.managerToken + "\n", run.out());
        run = run("swarm", "join-token", "worker", "--quiet");
        assertEquals(manager.workerToken + "\n", run.out());
    }

    @Test
    void rotateAsksForThatRoleOnlyAndPrintsTheNewToken() {
        String oldManagerToken = manager.managerToken;
        CtlRun run = run("swarm", "join-token", "--rotate", "worker");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertTrue(manager.workerToken.endsWith("-rotatedworker1"), manager.workerToken);
        assertEquals(oldManagerToken, manager.managerToken);
        assertEquals(List.of(GetJoinTokensRequest.newBuilder().setRotateWorker(true).build()),
                manager.joinTokenRequests);
        assertEquals("Successfully rotated worker join token.\n\n"
                + "To add a worker to this swarm, run the following command:\n\n"
                + "    orchd join --token " + manager.workerToken + " --data-dir /var/lib/orch "
                + "--advertise-addr <this node's IP> 10.0.0.1:4242\n", run.out());

        run = run("swarm", "join-token", "manager", "--rotate", "-q");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals(manager.managerToken + "\n", run.out());
        assertTrue(manager.joinTokenRequests.get(1).getRotateManager());
        assertFalse(manager.joinTokenRequests.get(1).getRotateWorker());
    }

    @Test
    void withoutManagerAddressesTheJoinCommandUsesTheAddressReached() {
        manager.managerAddresses = List.of();
        CtlRun run = run("swarm", "join-token", "worker");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertTrue(run.out().endsWith(" 127.0.0.1:" + manager.port() + "\n"), run.out());
    }

    @Test
    void updateSendsTheHeartbeatInMilliseconds() {
        CtlRun run = run("swarm", "update", "--dispatcher-heartbeat", "1m30s");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals("Swarm updated.\n", run.out());
        assertEquals(90_000, manager.clusterUpdates.get(0).getDispatcherHeartbeatMs());
        assertEquals(0, manager.clusterUpdates.get(0).getVersion());
        run = run("swarm", "update", "--dispatcher-heartbeat", "500ms");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals(500, manager.cluster.getDispatcherHeartbeatMs());
    }

    @Test
    void updateWithABadDurationIsAUsageErrorAndSendsNothing() {
        CtlRun run = run("swarm", "update", "--dispatcher-heartbeat", "5");
        assertEquals(ExitCodes.USAGE, run.exitCode(), run.err());
        assertEquals("error: invalid --dispatcher-heartbeat \"5\": use a number with a unit ns, us,"
                + " ms, s, m, h (e.g. 500ms, 5s, 1m30s)", run.errorLine());
        assertEquals("", run.out());
        assertTrue(manager.clusterUpdates.isEmpty());
    }

    @Test
    void inspectPrintsTheClusterWithoutTheCaKey() throws Exception {
        manager.cluster = manager.cluster.toBuilder().setRootCa(RootCA.newBuilder()
                .setCertPem("-----BEGIN CERTIFICATE-----\n").setKeyPem("SECRET KEY")
                .setDigest("ab12")).build();
        CtlRun run = run("swarm", "inspect");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertFalse(run.out().contains("SECRET"), run.out());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals(1, json.size());
        JsonNode cluster = json.get(0);
        assertEquals("cluster-1", cluster.get("meta").get("id").asText());
        assertEquals("5000", cluster.get("dispatcherHeartbeatMs").asText());
        assertEquals("ab12", cluster.get("rootCa").get("digest").asText());
        assertEquals(manager.workerToken, cluster.get("joinTokens").get("worker").asText());
    }

    @Test
    void inspectTakesOnlyJson() {
        CtlRun run = run("swarm", "inspect", "--format", "table");
        assertEquals(ExitCodes.USAGE, run.exitCode());
        run = run("swarm", "inspect", "--format", "json");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
    }
}
