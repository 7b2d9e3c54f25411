package dev.orch.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.ListTasksRequest;
import dev.orch.proto.Service;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stacks, secrets and configs on one real node through orchctl: a stack deploy whose containers
 * check their secret and config files (content, owner, mode), an unchanged re-deploy that
 * restarts nothing, a change that touches only what changed, a bad file that changes nothing,
 * {@code --prune}, and {@code stack rm} leaving nothing (secret files included).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StackSystemTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  /** The job succeeds only when its files are there with the right content, owner and mode. */
  // compared in base64, so that the plaintext is in no service spec (the data dir is searched for it)
  private static final String CHECK = "test \"$$(base64 /run/secrets/db_pw)\" = aHVudGVyMg=="
      + " && test \"$$(stat -c %a:%u /run/secrets/db_pw)\" = 400:10"
      + " && test \"$$(cat /etc/app.conf)\" = debug=1 && test \"$$(stat -c %a /etc/app.conf)\" = 444"
      + " && ! touch /run/secrets/db_pw";

  @TempDir static Path tmp;
  private SingleNode orch;
  private Path dir;
  /** Everything orchd (running in this JVM) logs while the test runs: searched for the plaintext. */
  private final java.io.ByteArrayOutputStream logs = new java.io.ByteArrayOutputStream();
  private java.io.PrintStream originalOut;
  private java.io.PrintStream originalErr;

  @BeforeAll
  void startNode() throws Exception {
    RootOnly.require("the stack system test");
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(tee(originalOut));
    System.setErr(tee(originalErr));
    orch = new SingleNode(tmp.resolve("data"));
    SingleNode.Ctl r = orch.ctl("image", "import", RootOnly.busyboxImage(tmp).toString());
    assertEquals(0, r.exit(), r.err());
    // a second tag, for the redeploy that changes web's image
    r = orch.ctl("image", "import", RootOnly.busyboxImage(tmp, "busybox:2").toString());
    assertEquals(0, r.exit(), r.err());
    dir = Files.createDirectories(tmp.resolve("project"));
    Files.writeString(dir.resolve("pw.txt"), "hunter2");
    Files.writeString(dir.resolve("app.conf"), "debug=1");
  }

  private java.io.PrintStream tee(java.io.PrintStream to) {
    return new java.io.PrintStream(new java.io.OutputStream() {
      @Override
      public void write(int b) {
        to.write(b);
        synchronized (logs) {
          logs.write(b);
        }
      }

      @Override
      public void write(byte[] b, int off, int len) {
        to.write(b, off, len);
        synchronized (logs) {
          logs.write(b, off, len);
        }
      }
    }, true);
  }

  @AfterAll
  void stopNode() throws Exception {
    if (originalErr != null) {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
    if (orch == null) {
      return;
    }
    orch.ctl("stack", "rm", "app");
    await().atMost(CONVERGE).until(() -> orch.control().listTasks(ListTasksRequest.getDefaultInstance())
        .getTasksCount() == 0);
    orch.close();
    // the node's tmpfs for secret files outlives orchd, as its containers do; the test removes it
    new ProcessBuilder("umount", "-l", taskFiles().toString()).start().waitFor();
  }

  private Path taskFiles() {
    return orch.dataDir.resolve("worker/task-files");
  }

  private SingleNode.Ctl ok(String... args) {
    SingleNode.Ctl r = orch.ctl(args);
    assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err() + r.out());
    return r;
  }

  private Path stackFile(String name, int webReplicas, String webCommand, boolean withDb) throws IOException {
    return stackFile(name, "busybox", webReplicas, webCommand, withDb);
  }

  private Path stackFile(String name, String webImage, int webReplicas, String webCommand, boolean withDb)
      throws IOException {
    String text = """
        version: "3.8"
        x-sleeper: &sleeper
          image: busybox
          command: [sleep, "3600"]
        services:
          web:
            <<: *sleeper
            image: %s
            command: [sleep, "%s"]
            ports: ["18480:80"]
            networks: [front, back]
            deploy:
              replicas: %d
              restart_policy: {condition: any, delay: 1s}
        """.formatted(webImage, webCommand, webReplicas);
    if (withDb) {
      text += """
            db:
              <<: *sleeper
              secrets: [db_pw]
              networks: [back]
              volumes: ["dbdata:/data"]
            check:
              image: busybox
              entrypoint: [sh, -c]
              command: ['%s']
              secrets: [{source: db_pw, uid: "10", mode: 0400}]
              configs: [{source: app_conf, target: /etc/app.conf}]
              deploy: {mode: replicated-job}
          volumes:
            dbdata: {}
          secrets:
            db_pw: {file: ./pw.txt}
          configs:
            app_conf: {file: ./app.conf}
          """.formatted(CHECK);
    }
    text += "networks:\n  front: {}\n  back: {}\n";
    return Files.writeString(dir.resolve(name), text);
  }

  private Set<String> runningTaskIds(String service) {
    return orch.running(service).stream().map(t -> t.getMeta().getId()).collect(Collectors.toSet());
  }

  @Test
  @Order(1)
  void deploysAStackWhoseContainersSeeTheirSecretAndConfigFiles() throws Exception {
    SingleNode.Ctl r = ok("stack", "deploy", "-c", stackFile("stack.yml", 3, "3600", true).toString(), "app");
    assertEquals("""
        Creating secret app_db_pw
        Creating config app_app_conf
        Creating network app_front
        Creating network app_back
        Creating network app_default
        Creating service app_web
        Creating service app_db
        Creating service app_check
        """, r.out());
    await().atMost(CONVERGE).untilAsserted(() -> assertTrue(orch.running("app_web").size() == 3
        && orch.running("app_db").size() == 1, () -> statuses()));
    await().atMost(CONVERGE).untilAsserted(() -> {
      List<Task> check = orch.tasks("app_check");
      assertEquals(1, check.size());
      assertEquals(TaskState.COMPLETE, check.get(0).getStatus().getState(), check.get(0).getStatus().toString());
    });
    // the running db task's secret is on the node's tmpfs; the finished job's files are gone
    String dbTask = orch.running("app_db").get(0).getMeta().getId();
    assertTrue(Files.exists(taskFiles().resolve(dbTask)));
    assertFalse(Files.exists(taskFiles().resolve(orch.tasks("app_check").get(0).getMeta().getId())));
    assertTrue(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
        .anyMatch(l -> l.contains(" " + taskFiles() + " ") && l.contains(" - tmpfs ")));
    String stacks = ok("stack", "ls").out();
    assertTrue(stacks.matches("NAME +SERVICES\\napp +3\\n"), stacks);
    assertTrue(ok("secret", "inspect", "app_db_pw").out().contains("\"dataSize\": \"7\""));
    assertFalse(ok("secret", "inspect", "app_db_pw").out().contains("aHVudGVyMg"), "inspect shows no data");
    SingleNode.Ctl rm = orch.ctl("secret", "rm", "app_db_pw");
    assertEquals(1, rm.exit());
    assertEquals("error: secret app_db_pw is in use by services app_check, app_db; remove it from those services"
        + " first\n", rm.err());
  }

  @Test
  @Order(2)
  void anUnchangedRedeployRestartsNothingAndAChangeTouchesOnlyWhatChanged() throws Exception {
    Set<String> web = runningTaskIds("app_web");
    Set<String> db = runningTaskIds("app_db");
    long dbVersion = orch.service("app_db").getMeta().getVersion();
    SingleNode.Ctl same = ok("stack", "deploy", "-c", stackFile("stack.yml", 3, "3600", true).toString(), "app");
    assertEquals("8 objects unchanged\n", same.out());
    assertEquals(web, runningTaskIds("app_web"));
    assertEquals(dbVersion, orch.service("app_db").getMeta().getVersion());

    SingleNode.Ctl changed = ok("stack", "deploy", "-c",
        stackFile("stack.yml", "busybox:2", 2, "3601", true).toString(), "app");
    assertEquals("Updating service app_web\n7 objects unchanged\n", changed.out());
    await().atMost(CONVERGE).until(() -> {
      List<Task> running = orch.running("app_web");
      return running.size() == 2 && running.stream().allMatch(t -> t.getSpec().getContainer().getCommand(1)
          .equals("3601") && t.getSpec().getContainer().getImage().startsWith("busybox:2"));
    });
    assertEquals(db, runningTaskIds("app_db"));
    assertEquals(dbVersion, orch.service("app_db").getMeta().getVersion());
  }

  @Test
  @Order(3)
  void aBadFileChangesNothing() throws Exception {
    List<Service> before = orch.control().listServices(dev.orch.proto.ListServicesRequest.getDefaultInstance())
        .getServicesList();
    Path broken = Files.writeString(dir.resolve("broken.yml"), "services:\n  web:\n    image: busybox\n"
        + "    deploy: {replicas: [1}\n");
    SingleNode.Ctl r = orch.ctl("stack", "deploy", "-c", broken.toString(), "app");
    assertEquals(2, r.exit());
    assertTrue(r.err().startsWith("error: " + broken + ":4:"), r.err());
    Path unknownSecret = Files.writeString(dir.resolve("unknown.yml"), "services:\n  web:\n    image: busybox\n"
        + "    secrets: [nope]\nsecrets:\n  nope: {external: true}\n");
    SingleNode.Ctl r2 = orch.ctl("stack", "deploy", "-c", unknownSecret.toString(), "app");
    assertEquals(1, r2.exit());
    assertEquals("error: secret \"nope\" not found; create it first: orchctl secret create nope FILE\n", r2.err());
    assertEquals(before, orch.control().listServices(dev.orch.proto.ListServicesRequest.getDefaultInstance())
        .getServicesList());
  }

  @Test
  @Order(4)
  void pruneRemovesWhatTheFileDropsAndStackRmLeavesNothing() throws Exception {
    SingleNode.Ctl r = ok("stack", "deploy", "--prune", "-c", stackFile("web.yml", "busybox:2", 2, "3601", false).toString(),
        "app");
    assertEquals("""
        Removing service app_check
        Removing service app_db
        Removing secret app_db_pw
        Removing config app_app_conf
        Removing network app_default
        3 objects unchanged
        """, r.out());
    assertEquals("", ok("secret", "ls").out().lines().skip(1).collect(Collectors.joining()));
    await().atMost(CONVERGE).until(() -> orch.control().listTasks(ListTasksRequest.getDefaultInstance())
        .getTasksList().stream().allMatch(t -> t.getServiceName().equals("app_web")) && taskDirs().isEmpty());
    assertSecretSealedOnDisk();
    assertEquals("Removing service app_web\nRemoving network app_back\nRemoving network app_front\n",
        ok("stack", "rm", "app").out());
    assertEquals("", ok("network", "ls").out().lines().filter(l -> l.contains("app_")).collect(Collectors.joining()));
    await().atMost(CONVERGE).until(() -> orch.control().listTasks(ListTasksRequest.getDefaultInstance())
        .getTasksCount() == 0);
    assertEquals("NAME   SERVICES\n", ok("stack", "ls").out());
    assertEquals(List.of(), taskDirs());
  }

  /**
   * The secret's plaintext is in no file of the node's data dir (Raft log, snapshots, state), its
   * name is (the positive control). The worker's tmpfs of task files is memory, not disk.
   */
  private void assertSecretSealedOnDisk() throws IOException {
    List<Path> files = new java.util.ArrayList<>();
    Files.walkFileTree(orch.dataDir, new java.nio.file.SimpleFileVisitor<>() {
      @Override
      public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a) {
        return d.equals(taskFiles()) ? java.nio.file.FileVisitResult.SKIP_SUBTREE
            : java.nio.file.FileVisitResult.CONTINUE;
      }

      @Override
      public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a) {
        if (a.isRegularFile()) {
          files.add(f);
        }
        return java.nio.file.FileVisitResult.CONTINUE;
      }

      @Override
      public java.nio.file.FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
        if (e instanceof java.nio.file.NoSuchFileException) {
          return java.nio.file.FileVisitResult.CONTINUE; // removed meanwhile (a finished task's files)
        }
        throw e;
      }
    });
    List<Path> leaking = new java.util.ArrayList<>();
    boolean nameFound = false;
    for (Path f : files) {
      String content;
      try {
        content = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
      } catch (java.nio.file.NoSuchFileException gone) {
        continue; // removed meanwhile (a finished task's log file)
      }
      if (content.contains("hunter2")) {
        leaking.add(f);
      }
      nameFound |= content.contains("app_db_pw");
    }
    assertTrue(nameFound, "positive control: the secret's name is found in the data dir");
    assertEquals(List.of(), leaking, "files holding the secret's plaintext");
    String logged;
    synchronized (logs) {
      logged = logs.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
    assertTrue(logged.contains("INFO"), "positive control: orchd's log lines are captured");
    assertFalse(logged.contains("hunter2"), "orchd logged the secret's plaintext");
  }

  private String statuses() {
    return orch.control().listTasks(ListTasksRequest.getDefaultInstance()).getTasksList().stream()
        .map(t -> t.getServiceName() + "." + t.getSlot() + " " + t.getStatus().getState() + " " + t.getStatus().getErr())
        .collect(Collectors.joining("\n"));
  }

  private List<Path> taskDirs() throws IOException {
    if (!Files.isDirectory(taskFiles())) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(taskFiles())) {
      return s.toList();
    }
  }
}
