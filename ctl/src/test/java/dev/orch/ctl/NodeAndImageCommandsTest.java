package dev.orch.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Image;
import dev.orch.proto.Meta;
import dev.orch.proto.Node;
import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeDescription;
import dev.orch.proto.NodeRole;
import dev.orch.proto.NodeSpec;
import dev.orch.proto.NodeState;
import dev.orch.proto.NodeStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** node ls, image import and image ls over mutual TLS against {@link FakeManager}. */
class NodeAndImageCommandsTest {
    private FakeManager manager;

    @BeforeEach
    void start() throws Exception {
        manager = new FakeManager();
    }

    @AfterEach
    void stop() throws Exception {
        manager.close();
    }

    private static Node node(String id, String hostname, NodeRole role, NodeState state,
            NodeAvailability availability) {
        return Node.newBuilder().setMeta(Meta.newBuilder().setId(id))
                .setSpec(NodeSpec.newBuilder().setRole(role).setAvailability(availability))
                .setDescription(NodeDescription.newBuilder().setHostname(hostname))
                .setStatus(NodeStatus.newBuilder().setState(state)).build();
    }

    @Test
    void nodeList() {
        manager.nodes.add(node("n2", "worker-1", NodeRole.WORKER, NodeState.NODE_DOWN,
                NodeAvailability.DRAIN));
        manager.nodes.add(node("n1", "manager-1", NodeRole.MANAGER, NodeState.NODE_READY,
                NodeAvailability.ACTIVE).toBuilder()
                .setManagerStatus(dev.orch.proto.ManagerStatus.newBuilder().setLeader(true).setReachable(true))
                .build());
        manager.nodes.add(node("n3", "worker-2", NodeRole.WORKER, NodeState.NODE_DISCONNECTED,
                NodeAvailability.PAUSE));
        manager.nodes.add(node("n4", "worker-3", NodeRole.WORKER, NodeState.NODE_UNKNOWN,
                NodeAvailability.ACTIVE));
        CtlRun run = CtlRun.run(manager.env(), "node", "ls");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals("ID   HOSTNAME    STATUS         AVAILABILITY   MANAGER STATUS\n"
                + "n1   manager-1   Ready          Active         Leader\n"
                + "n2   worker-1    Down           Drain\n"
                + "n3   worker-2    Disconnected   Pause\n"
                + "n4   worker-3    Unknown        Active\n", run.out());
    }

    @Test
    void aManagerThatIsNotReadyIsUnreachable() {
        manager.nodes.add(node("n1", "manager-1", NodeRole.MANAGER, NodeState.NODE_DOWN,
                NodeAvailability.ACTIVE));
        CtlRun run = CtlRun.run(manager.env(), "node", "ls");
        assertEquals("ID   HOSTNAME    STATUS   AVAILABILITY   MANAGER STATUS\n"
                + "n1   manager-1   Down     Active         Unreachable\n", run.out());
    }

    @Test
    void importStreamsMebibyteChunksWithTheReferenceFirst(@TempDir Path dir) throws Exception {
        byte[] archive = new byte[(5 << 19) + 17]; // 2.5 MiB and a bit: three chunks
        new Random(1).nextBytes(archive);
        Path file = dir.resolve("app.tar");
        Files.write(file, archive);
        CtlRun run = CtlRun.run(manager.env(), "image", "import", file.toString(),
                "--name", "app:1");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals("Loaded image: app:1\nDigest: sha256:" + "ab".repeat(32) + "\n", run.out());
        assertEquals(3, manager.importedChunks.size());
        assertEquals(1 << 20, manager.importedChunks.get(0).getData().size());
        assertEquals("app:1", manager.importedChunks.get(0).getReference());
        assertEquals("", manager.importedChunks.get(1).getReference());
        int total = manager.importedChunks.stream().mapToInt(c -> c.getData().size()).sum();
        assertEquals(archive.length, total);
    }

    @Test
    void importOfAMissingFileSaysSoBeforeConnecting(@TempDir Path dir) {
        CtlRun run = CtlRun.run(java.util.Map.of("ORCH_HOST", "127.0.0.1:1"), "image", "import",
                dir.resolve("nope.tar").toString());
        assertEquals(ExitCodes.FAILURE, run.exitCode());
        assertEquals("error: image archive " + dir.resolve("nope.tar") + " does not exist; pass the"
                + " path of a docker save or OCI archive (.tar)", run.errorLine());
        assertTrue(manager.importedChunks.isEmpty());
    }

    @Test
    void imageList() {
        manager.images.add(Image.newBuilder()
                .setMeta(Meta.newBuilder().setId("sha256:" + "1".repeat(64)).setCreatedAtMs(1))
                .setConfigDigest("sha256:0123456789abcdef" + "0".repeat(48))
                .addReferences("busybox:latest").addReferences("localhost:5000/tools/busybox:1.36")
                .setSizeBytes(4_261_234).build());
        manager.images.add(Image.newBuilder()
                .setMeta(Meta.newBuilder().setId("sha256:fedcba9876543210" + "0".repeat(48))
                        .setCreatedAtMs(2))
                .setSizeBytes(742).build());
        CtlRun run = CtlRun.run(manager.env(), "image", "ls");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals("REPOSITORY                     TAG      IMAGE ID       SIZE\n"
                + "<none>                         <none>   fedcba987654   742B\n"
                + "busybox                        latest   0123456789ab   4.26MB\n"
                + "localhost:5000/tools/busybox   1.36     0123456789ab   4.26MB\n", run.out());
    }
}
