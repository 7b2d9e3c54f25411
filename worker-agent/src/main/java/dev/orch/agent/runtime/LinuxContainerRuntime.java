package dev.orch.agent.runtime;

import dev.orch.agent.runtime.Container.ExitStatus;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs containers with orch-shim: one shim process per container, started here and then
 * independent of this JVM (own session, own stdio), so containers survive an agent restart.
 *
 * <p>Start protocol: Java creates the state dir and cgroups, writes the shim config and starts
 * {@code orch-shim run <stateDir>}; the shim answers one line on stdout, {@code started <pid>} or
 * {@code error: <what>: <why>}, and later writes the {@code exit} file. See {@link ContainerDirs}
 * for the on-disk layout.
 */
public final class LinuxContainerRuntime implements ContainerRuntime {

  private static final Logger log = LoggerFactory.getLogger(LinuxContainerRuntime.class);

  /** Ids become directory and cgroup names. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  /** How long each wait may take; all waiting goes through the injected timer. */
  public record Timeouts(Duration start, Duration remove, Duration recoverPoll) {
    public static final Timeouts DEFAULT =
        new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMillis(200));
  }

  private final Path containersRoot;
  private final Path shim;
  private final Cgroups cgroups;
  private final ScheduledExecutorService timer;
  private final boolean ownsTimer;
  private final Timeouts timeouts;
  private final ContainerExec exec;
  private final ConcurrentHashMap<String, LinuxContainer> containers = new ConcurrentHashMap<>();
  /** Ids with a start or remove in progress: the two must never interleave for one id. */
  private final Set<String> busy = ConcurrentHashMap.newKeySet();

  /**
   * A runtime with detected cgroups and its own timer thread.
   *
   * @param stateRoot this node's runtime state ({@code orch-shim}, {@code containers/<id>/})
   * @param scope node-scoped cgroup path, for example {@code orch/<nodeId>}
   */
  public LinuxContainerRuntime(Path stateRoot, String scope) throws ContainerException {
    this(stateRoot, detectCgroups(scope), newTimer(), true, Timeouts.DEFAULT);
  }

  /** A runtime with the given cgroups and timer (which the caller owns and shuts down). */
  public LinuxContainerRuntime(
      Path stateRoot, Cgroups cgroups, ScheduledExecutorService timer, Timeouts timeouts)
      throws ContainerException {
    this(stateRoot, cgroups, timer, false, timeouts);
  }

  private LinuxContainerRuntime(
      Path stateRoot, Cgroups cgroups, ScheduledExecutorService timer, boolean ownsTimer,
      Timeouts timeouts) throws ContainerException {
    this.containersRoot = stateRoot.resolve("containers");
    this.cgroups = cgroups;
    this.timer = timer;
    this.ownsTimer = ownsTimer;
    this.timeouts = timeouts;
    try {
      Files.createDirectories(containersRoot);
      this.shim = ShimBinary.install(stateRoot);
      this.exec = new ContainerExec(shim, timer);
    } catch (IOException e) {
      throw new ContainerException("prepare runtime state in " + stateRoot + ": " + e.getMessage(), e);
    }
    log.info("container runtime ready: state {}, cgroup {}", stateRoot, cgroups.version());
  }

  private static Cgroups detectCgroups(String scope) throws ContainerException {
    try {
      return Cgroups.detect(scope);
    } catch (IOException e) {
      throw new ContainerException(e.getMessage(), e);
    }
  }

  private static ScheduledExecutorService newTimer() {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "container-runtime-timer");
      t.setDaemon(true);
      return t;
    });
  }

  public Cgroups cgroups() {
    return cgroups;
  }

  /** The state directory of a container (exists from start until remove). */
  public Path stateDir(String id) {
    return ContainerDirs.of(containersRoot, id).dir();
  }

  @Override
  public Container start(ContainerConfig config) throws ContainerException {
    validate(config);
    String id = config.id();
    if (!busy.add(id)) {
      throw new ContainerException("container " + id + " is being started or removed");
    }
    try {
      ContainerDirs dirs = ContainerDirs.of(containersRoot, id);
      if (containers.containsKey(id) || Files.exists(dirs.dir())) {
        throw new ContainerException("container " + id + " already exists; remove it first");
      }
      LinuxContainer container = launch(config, dirs);
      containers.put(id, container);
      return container;
    } finally {
      busy.remove(id);
    }
  }

  private static void validate(ContainerConfig config) throws ContainerException {
    if (config.id() == null || !ID.matcher(config.id()).matches()) {
      throw new ContainerException("invalid container id '" + config.id() + "': want " + ID.pattern());
    }
    if (config.argv() == null || config.argv().isEmpty() || config.argv().get(0).isEmpty()) {
      throw new ContainerException("container " + config.id() + " has no command");
    }
    if (config.logFile() == null || config.limits() == null || config.layers() == null) {
      throw new ContainerException("container " + config.id() + ": log file, limits and layers are required");
    }
    for (Path layer : config.layers()) {
      if (!Files.isDirectory(layer)) {
        throw new ContainerException("container " + config.id() + ": layer " + layer + " is not a directory");
      }
    }
    for (ContainerConfig.BindMount m : config.mounts()) {
      if (!Files.exists(m.source())) {
        throw new ContainerException("container " + config.id() + ": mount source " + m.source() + " does not exist");
      }
    }
    if (config.networkNamespace() != null && !Files.exists(config.networkNamespace())) {
      throw new ContainerException("container " + config.id() + ": network namespace "
          + config.networkNamespace() + " does not exist");
    }
  }

  private LinuxContainer launch(ContainerConfig config, ContainerDirs dirs) throws ContainerException {
    String id = config.id();
    Process shimProcess = null;
    try {
      prepare(config, dirs);
      shimProcess = new ProcessBuilder(shim.toString(), "run", dirs.dir().toString())
          .redirectInput(Redirect.from(new File("/dev/null")))
          .redirectError(Redirect.appendTo(dirs.shimLog().toFile()))
          .start();
      String answer = awaitAnswer(shimProcess);
      if (answer.startsWith("started ")) {
        return attachStarted(id, dirs, Integer.parseInt(answer.substring(8).trim()), shimProcess);
      }
      throw new ContainerException("start container " + id + ": " + describeFailure(answer, shimProcess, dirs));
    } catch (IOException | RuntimeException | ContainerException e) {
      ContainerException failure = e instanceof ContainerException ce ? ce
          : new ContainerException("start container " + id + ": " + e, e);
      cleanUpFailedStart(id, dirs, shimProcess, failure);
      throw failure;
    }
  }

  private void prepare(ContainerConfig config, ContainerDirs dirs) throws IOException, ContainerException {
    Files.createDirectory(dirs.dir());
    for (Path p : List.of(dirs.rootfs(), dirs.upper(), dirs.work(), dirs.emptyLower())) {
      Files.createDirectory(p);
    }
    Path logDir = config.logFile().toAbsolutePath().getParent();
    if (logDir != null) {
      Files.createDirectories(logDir);
    }
    List<Path> procs = cgroups.create(config.id(), config.limits());
    ShimConfig.forContainer(config, dirs, procs).writeTo(dirs.config());
  }

  /** Reads the shim's one-line answer; a shim that hangs is killed after the start timeout. */
  private String awaitAnswer(Process shimProcess) throws IOException {
    ScheduledFuture<?> deadline = timer.schedule(
        shimProcess::destroyForcibly, timeouts.start().toNanos(), TimeUnit.NANOSECONDS);
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try (InputStream in = shimProcess.getInputStream()) {
      for (int b = in.read(); b >= 0 && b != '\n' && line.size() < 4096; b = in.read()) {
        line.write(b);
      }
    } finally {
      deadline.cancel(false);
    }
    if (deadline.isDone() && !deadline.isCancelled()) {
      return "error: shim did not answer within " + timeouts.start();
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  private String describeFailure(String answer, Process shimProcess, ContainerDirs dirs) {
    if (answer.startsWith("error: ")) {
      return answer.substring(7);
    }
    String status;
    try {
      status = shimProcess.waitFor(timeouts.start().toMillis(), TimeUnit.MILLISECONDS)
          ? "status " + shimProcess.exitValue() : "no exit";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = "interrupted";
    }
    String shimLog;
    try {
      shimLog = Files.readString(dirs.shimLog()).strip();
    } catch (IOException e) {
      shimLog = "(unreadable: " + e.getMessage() + ")";
    }
    return "shim gave no answer (" + (answer.isEmpty() ? "" : "'" + answer + "', ") + status + ")"
        + (shimLog.isEmpty() ? "" : "; shim log: " + shimLog);
  }

  private LinuxContainer attachStarted(String id, ContainerDirs dirs, int initPid, Process shimProcess) {
    // The JVM reaps its child shim at once, so onExit fires as soon as the container is gone.
    CompletableFuture<ExitStatus> exited =
        shimProcess.onExit().thenApplyAsync(p -> exitStatus(id, dirs, "status " + p.exitValue()));
    log.debug("started container {} (init pid {}, shim pid {})", id, initPid, shimProcess.pid());
    return new LinuxContainer(id, initPid, ProcessHandle.of(initPid), exited, timer);
  }

  /** The container's exit as the shim recorded it, or why it could not record one. */
  private ExitStatus exitStatus(String id, ContainerDirs dirs, String shimEnd) {
    ExitStatus status;
    try {
      status = ExitFile.read(dirs.exitFile()).orElse(new ExitStatus(-1, 0,
          "shim ended (" + shimEnd + ") without recording the container's exit; see " + dirs.shimLog()));
    } catch (IOException e) {
      status = new ExitStatus(-1, 0, "cannot read exit status: " + e.getMessage());
    }
    if (status.signal() == 9 && cgroups.oomKilled(id)) {
      status = new ExitStatus(status.exitCode(), status.signal(), status.message() + " (out of memory)");
    }
    return status;
  }

  private void cleanUpFailedStart(String id, ContainerDirs dirs, Process shimProcess, ContainerException failure) {
    try {
      if (shimProcess != null) {
        shimProcess.destroyForcibly();
        shimProcess.onExit().get(timeouts.remove().toMillis(), TimeUnit.MILLISECONDS);
      }
      removeCgroups(id);
      deleteTree(dirs.dir());
    } catch (IOException | ContainerException | ExecutionException | TimeoutException e) {
      failure.addSuppressed(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure.addSuppressed(e);
    }
  }

  /**
   * Runs a command inside a running container (a health check, or an operator's exec): in its
   * namespaces and cgroups, as its user, with its capabilities; stdout and stderr captured.
   *
   * @throws ContainerException if the container is not running here or the shim cannot be run
   */
  public ExecResult exec(String id, List<String> argv, List<String> env, String workdir, Duration timeout)
      throws ContainerException {
    LinuxContainer container = containers.get(id);
    if (container == null || container.exitFuture().isDone() || container.pid() <= 0) {
      throw new ContainerException("container " + id + " is not running");
    }
    if (argv.isEmpty()) {
      throw new ContainerException("exec in " + id + ": no command");
    }
    try {
      return exec.run(target(id, container, ""), argv, env, workdir, timeout);
    } catch (IOException e) {
      throw new ContainerException("exec in " + id + ": " + e.getMessage(), e);
    }
  }

  /**
   * Starts an operator's command in a running container (orchctl exec), in its namespaces and
   * cgroups, with its environment (plus {@code extraEnv}), and its working directory and user
   * unless others are given. The returned process's stdin feeds the command, its stdout carries
   * the command's stdout and stderr merged, and its exit code is the command's.
   */
  @Override
  public ExecResult check(String id, List<String> argv, Duration timeout) throws ContainerException {
    try {
      Path config = ContainerDirs.of(containersRoot, id).config();
      return exec(id, argv, ShimConfig.readAll(config, "env"), ShimConfig.read(config, "workdir"), timeout);
    } catch (IOException e) {
      throw new ContainerException("health check in " + id + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Process startExec(String id, List<String> argv, List<String> extraEnv, String workdir, String user,
      TerminalSize terminal) throws ContainerException {
    LinuxContainer container = containers.get(id);
    if (container == null || container.exitFuture().isDone() || container.pid() <= 0) {
      throw new ContainerException("container " + id + " is not running");
    }
    if (argv.isEmpty() || argv.get(0).isEmpty()) {
      throw new ContainerException("exec in " + id + ": no command");
    }
    try {
      Path config = ContainerDirs.of(containersRoot, id).config();
      List<String> env = new ArrayList<>(ShimConfig.readAll(config, "env"));
      env.addAll(extraEnv);
      String dir = workdir.isEmpty() ? ShimConfig.read(config, "workdir") : workdir;
      return exec.start(target(id, container, user), argv, env, dir, terminal);
    } catch (IOException e) {
      throw new ContainerException("exec in " + id + ": " + e.getMessage(), e);
    }
  }

  /** What an exec joins: the container's init, cgroups, capabilities and user (unless {@code user}). */
  private ContainerExec.Target target(String id, LinuxContainer container, String user) throws IOException {
    Path config = ContainerDirs.of(containersRoot, id).config();
    return new ContainerExec.Target(container.pid(), cgroups.procsFiles(id),
        user.isEmpty() ? ShimConfig.read(config, "user") : user, ShimConfig.read(config, "caps"));
  }

  /** What the container uses now (for stats); fails once it has been removed. */
  @Override
  public ResourceUsage usage(String id) throws ContainerException {
    try {
      return cgroups.usage(id);
    } catch (IOException | NumberFormatException e) {
      throw new ContainerException("usage of container " + id + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<Container> recover() {
    List<Container> found = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(containersRoot)) {
      for (Path dir : dirs) {
        String id = dir.getFileName().toString();
        if (ID.matcher(id).matches() && Files.isDirectory(dir)) {
          found.add(containers.computeIfAbsent(id, k -> reattach(k, new ContainerDirs(dir))));
        }
      }
    } catch (IOException e) {
      log.error("cannot scan {} for containers to recover", containersRoot, e);
    }
    return found;
  }

  /**
   * A handle on a container started by an earlier agent. It is not this JVM's child, so its end
   * is noticed by polling the exit file and the shim's liveness on the timer.
   */
  private LinuxContainer reattach(String id, ContainerDirs dirs) {
    Optional<ShimPidFile> pidFile;
    try {
      Optional<ExitStatus> exit = ExitFile.read(dirs.exitFile());
      pidFile = ShimPidFile.read(dirs.pidFile());
      int pid = pidFile.map(p -> (int) p.initPid()).orElse(0);
      if (exit.isPresent()) {
        return exitedHandle(id, pid, exitStatus(id, dirs, "before this agent started"));
      }
      if (pidFile.isEmpty()) {
        return exitedHandle(id, 0, new ExitStatus(-1, 0, "container never started (agent stopped during start)"));
      }
    } catch (IOException e) {
      return exitedHandle(id, 0, new ExitStatus(-1, 0, "unreadable container state: " + e.getMessage()));
    }
    ShimPidFile shimPid = pidFile.get();
    CompletableFuture<ExitStatus> exited = new CompletableFuture<>();
    AtomicReference<ScheduledFuture<?>> poll = new AtomicReference<>();
    Runnable check = () -> {
      if (Files.exists(dirs.exitFile()) || !shimPid.shimAlive()) {
        exited.complete(exitStatus(id, dirs, "while the agent was away"));
      }
    };
    poll.set(timer.scheduleWithFixedDelay(
        check, 0, timeouts.recoverPoll().toNanos(), TimeUnit.NANOSECONDS));
    exited.whenComplete((s, e) -> poll.get().cancel(false));
    log.info("re-attached to container {} (init pid {})", id, shimPid.initPid());
    return new LinuxContainer(id, (int) shimPid.initPid(), shimPid.init(), exited, timer);
  }

  private LinuxContainer exitedHandle(String id, int pid, ExitStatus status) {
    return new LinuxContainer(id, pid, Optional.empty(), CompletableFuture.completedFuture(status), timer);
  }

  @Override
  public void remove(String id) throws ContainerException {
    if (id == null || !ID.matcher(id).matches()) {
      throw new ContainerException("invalid container id '" + id + "'");
    }
    if (!busy.add(id)) {
      throw new ContainerException("container " + id + " is being started or removed");
    }
    try {
      ContainerDirs dirs = ContainerDirs.of(containersRoot, id);
      LinuxContainer container = containers.get(id);
      if (container == null && Files.isDirectory(dirs.dir())) {
        container = reattach(id, dirs);
      }
      if (container != null) {
        killAndWait(container);
      }
      removeCgroups(id);
      unmountLeftovers(dirs);
      deleteTree(dirs.dir());
      containers.remove(id);
    } catch (IOException e) {
      throw new ContainerException("remove container " + id + ": " + e.getMessage(), e);
    } finally {
      busy.remove(id);
    }
  }

  private void killAndWait(LinuxContainer container) throws ContainerException {
    container.kill();
    try {
      container.exitFuture().get(timeouts.remove().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new ContainerException(container + " did not exit within " + timeouts.remove() + " of SIGKILL");
    } catch (ExecutionException e) {
      throw new ContainerException(container + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ContainerException("interrupted while removing " + container, e);
    }
  }

  /**
   * The kernel refuses to remove a cgroup (EBUSY) for a moment after its last process died, and
   * while processes of a dying pid namespace are still being torn down: retry briefly, killing
   * whatever is left.
   */
  private void removeCgroups(String id) throws ContainerException {
    long pauseNanos = TimeUnit.MILLISECONDS.toNanos(10);
    long attempts = Math.max(1, timeouts.remove().toNanos() / pauseNanos);
    IOException last = null;
    for (long i = 0; i < attempts; i++) {
      try {
        cgroups.remove(id);
        return;
      } catch (IOException e) {
        last = e;
      }
      try {
        for (long pid : cgroups.pids(id)) {
          ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
      } catch (IOException e) {
        last.addSuppressed(e);
      }
      LockSupport.parkNanos(pauseNanos);
    }
    throw new ContainerException("remove cgroups of container " + id + ": " + last, last);
  }

  /**
   * The overlay and the container's other mounts live only in its own mount namespace and vanish
   * with it; a mount under the state dir in ours would be a bug, which this repairs and reports.
   */
  private static void unmountLeftovers(ContainerDirs dirs) throws IOException, ContainerException {
    List<Path> leftovers = MountInfo.mountPointsUnder(dirs.dir());
    if (leftovers.isEmpty()) {
      return;
    }
    log.warn("mounts under {} leaked into the host mount namespace: {}", dirs.dir(), leftovers);
    for (int i = leftovers.size() - 1; i >= 0; i--) {
      try {
        new ProcessBuilder("umount", "-l", leftovers.get(i).toString()).inheritIO().start().waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ContainerException("interrupted while unmounting " + leftovers.get(i), e);
      }
    }
    List<Path> still = MountInfo.mountPointsUnder(dirs.dir());
    if (!still.isEmpty()) {
      throw new ContainerException("cannot unmount " + still);
    }
  }

  /** Deletes a tree without following symlinks (the upper dir holds whatever the container wrote). */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** Leaves containers running: they belong to the node, not to this agent process. */
  @Override
  public void close() {
    if (ownsTimer) {
      timer.shutdownNow();
    }
  }
}
