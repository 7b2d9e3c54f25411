package dev.orch.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls from a real registry on the test bed: Debian's docker-registry (distribution 2.8) serves
 * plain HTTP in node 1's namespace, marked insecure on the manager; skopeo pushes the busybox test
 * image. The manager pins the tag's digest; both workers pull the layers themselves, each verified.
 * A tampered blob is refused with a digest error in service ps; a missing tag fails at create; a
 * registry with basic auth is pulled from with the client's credentials, which no answer shows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryPullSystemTest {
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  @TempDir static Path tmp;
  private TestBed bed;
  private String registry;
  private Path storage;
  private String layer;
  private String privateRegistry;
  private static final String PASSWORD = "s3cret-pw-" + Long.toHexString(System.nanoTime());

  @BeforeAll
  void startCluster() throws Exception {
    RootOnly.require("the registry pull system test");
    boolean tools = Stream.of("/usr/bin/docker-registry", "/usr/bin/skopeo").allMatch(p -> Files.isExecutable(Path.of(p)));
    if (!tools) {
      System.err.println("!!!!!!!! SKIPPED: docker-registry and skopeo are not installed (deploy/install-deps.sh) !!!!!!!!");
    }
    Assumptions.assumeTrue(tools, "SKIPPED: needs docker-registry and skopeo");
    bed = new TestBed("orchrg" + (ProcessHandle.current().pid() % 10000), 3);
    registry = bed.addr(1) + ":5000";
    Path dir = Files.createDirectories(tmp.resolve("registry"));
    storage = dir.resolve("storage/docker/registry/v2");
    // The registry first: the bed records the last process started on a node as that node's orchd.
    bed.run("start", "1", RootOnly.repoRoot().resolve("deploy/images/run-registry.sh").toString(), dir.toString(), registry);
    privateRegistry = bed.addr(1) + ":5001";
    Path privateDir = Files.createDirectories(tmp.resolve("private"));
    byte[] salt = new byte[16];
    new java.security.SecureRandom().nextBytes(salt);
    Path htpasswd = privateDir.resolve("htpasswd");
    Files.writeString(htpasswd, "alice:" + org.bouncycastle.crypto.generators.OpenBSDBCrypt.generate(
        "2b", PASSWORD.toCharArray(), salt, 4) + "\n");
    bed.run("start", "1", RootOnly.repoRoot().resolve("deploy/images/run-registry.sh").toString(),
        privateDir.toString(), privateRegistry, htpasswd.toString());
    bed.orchd(1, "init", "--data-dir", "{data}", "--advertise-addr", "{addr}",
        "--insecure-registry", registry, "--insecure-registry", privateRegistry);
    await().atMost(CONVERGE).ignoreExceptions().until(() -> bed.ctl("node", "ls").exit() == 0);
    String token = bed.ctlOk("swarm", "join-token", "-q", "worker").strip();
    bed.join(2, token);
    bed.join(3, token);
    await().atMost(CONVERGE).ignoreExceptions().until(() -> bed.readyNodes().size() == 3);
    Path image = RootOnly.busyboxImage(tmp);
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> bed.tryRun("exec", "1", "skopeo", "copy",
        "--quiet", "--dest-tls-verify=false", "oci-archive:" + image, "docker://" + registry + "/demo:1").exit() == 0);
    String link = Files.readString(storage.resolve("repositories/demo/_manifests/tags/1/current/link")).strip();
    JsonNode manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(blob(link).toFile());
    layer = manifest.path("layers").get(0).path("digest").asText();
  }

  @AfterAll
  void stopCluster() throws IOException {
    if (bed != null) {
      bed.close();
    }
  }

  private Path blob(String digest) {
    String hex = digest.substring("sha256:".length());
    return storage.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
  }

  private String[] create(String name, int replicas) {
    return new String[] {"service", "create", "-d", "--name", name, "--replicas", Integer.toString(replicas),
        "--replicas-max-per-node", "1", "--constraint", "node.role==worker", registry + "/demo:1", "sleep", "100000"};
  }

  @Test
  @Order(1)
  void aTamperedLayerIsRefusedWithADigestErrorInServicePs() throws IOException {
    Path data = blob(layer);
    byte[] original = Files.readAllBytes(data);
    byte[] tampered = original.clone();
    tampered[tampered.length / 2] ^= 0x55;
    Files.write(data, tampered);
    try {
      bed.ctlOk(create("tampered", 1));
      await().atMost(CONVERGE).until(() -> bed.json("service", "ps", "tampered").stream().anyMatch(t ->
          "REJECTED".equals(t.path("status").path("state").asText())
              && t.path("status").path("err").asText().contains("digest mismatch")
              && t.path("status").path("err").asText().contains(layer)));
      String ps = bed.ctlOk("service", "ps", "--no-trunc", "tampered");
      assertTrue(ps.contains("digest mismatch"), ps);
    } finally {
      Files.write(data, original);
    }
    bed.ctlOk("service", "rm", "tampered");
  }

  @Test
  @Order(2)
  void aMissingTagFailsAtCreateAndCreatesNothing() throws IOException {
    TestBed.Result r = bed.ctl("service", "create", "-d", "--name", "missing", registry + "/demo:nope");
    assertEquals(1, r.exit(), r.out() + r.err());
    assertTrue(r.err().startsWith("error: ") && r.err().contains("tag \"nope\" does not exist in repository demo"), r.err());
    assertFalse(bed.ctlOk("service", "ls").contains("missing"));
  }

  @Test
  @Order(3)
  void bothWorkersPullThePinnedDigestFromTheRegistry() throws IOException {
    long start = System.nanoTime();
    bed.ctlOk(create("web", 2));
    await().atMost(CONVERGE).until(() -> runningOn("web").size() == 2);
    System.out.printf("registry pull: 2 workers running the image %.2f s after create%n", (System.nanoTime() - start) / 1e9);
    assertEquals(Set.of(bed.nodeIdOf(2), bed.nodeIdOf(3)), new HashSet<>(runningOn("web")));
    String hex = layer.substring("sha256:".length());
    for (int i = 2; i <= 3; i++) {
      assertTrue(Files.isRegularFile(bed.nodeDir(i).resolve("data/worker/images/blobs/sha256/" + hex)),
          "node " + i + " pulled the layer itself");
    }
    JsonNode service = bed.json("service", "inspect", "web").get(0);
    String pinned = service.path("imageDigest").asText();
    String link = Files.readString(storage.resolve("repositories/demo/_manifests/tags/1/current/link")).strip();
    assertEquals(link, pinned, "the service runs the digest the tag had at create");
    bed.json("service", "ps", "web").forEach(t -> assertEquals(pinned, t.path("spec").path("imageDigest").asText()));
  }

  @Test
  @Order(4)
  void aPrivateRegistryNeedsTheClientsCredentialsWhichNoAnswerShows() throws Exception {
    Path image = tmp.resolve("busybox.tar");
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> bed.tryRun("exec", "1", "skopeo", "copy",
        "--quiet", "--dest-tls-verify=false", "--dest-creds=alice:" + PASSWORD, "oci-archive:" + image,
        "docker://" + privateRegistry + "/app:1").exit() == 0);
    String[] create = {"service", "create", "-d", "--name", "private", "--replicas", "2", "--replicas-max-per-node", "1",
        "--constraint", "node.role==worker", "--with-registry-auth", privateRegistry + "/app:1", "sleep", "100000"};

    TestBed.Result anonymous = bed.ctl(java.util.Arrays.stream(create).filter(a -> !a.equals("--with-registry-auth"))
        .toArray(String[]::new));
    assertEquals(1, anonymous.exit());
    assertTrue(anonymous.err().contains("requires authentication for repository app"), anonymous.err());
    TestBed.Result noLogin = bed.ctl(create);
    assertEquals(2, noLogin.exit());
    assertTrue(noLogin.err().contains("orchctl registry login " + privateRegistry), noLogin.err());

    bed.ctlOk("registry", "login", "-u", "alice", "-p", PASSWORD, privateRegistry);
    bed.ctlOk(create);
    await().atMost(CONVERGE).until(() -> runningOn("private").size() == 2);
    String inspect = bed.ctlOk("service", "inspect", "private");
    assertFalse(inspect.contains(PASSWORD) || inspect.contains("registryAuth"), inspect);
    assertFalse(bed.ctlOk("service", "ls", "--format", "json").contains(PASSWORD));
    for (int i = 1; i <= 3; i++) {
      for (String log : List.of("stdout.log", "stderr.log")) {
        Path f = bed.nodeDir(i).resolve("logs").resolve(log);
        assertFalse(Files.isRegularFile(f) && Files.readString(f).contains(PASSWORD), "password in " + f);
      }
    }
  }

  private List<String> runningOn(String svc) throws IOException {
    return bed.json("service", "ps", svc).stream()
        .filter(t -> "RUNNING".equals(t.path("desiredState").asText())
            && "RUNNING".equals(t.path("status").path("state").asText()))
        .map(t -> t.path("nodeId").asText()).toList();
  }
}
