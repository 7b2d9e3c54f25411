package dev.orch.agent.runtime;

import dev.orch.agent.image.BusyboxImage;
import dev.orch.agent.image.ImageStore;
import dev.orch.agent.image.ImportedImage;
import dev.orch.agent.runtime.ContainerConfig.ResourceLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Start latency of the runtime: {@code start()} of N busybox containers running {@code sleep},
 * one after another, then their removal. Needs root.
 *
 * <pre>
 *   cd worker-agent && mvn -o -q dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 *   java -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) dev.orch.agent.runtime.RuntimeStartBench 50
 * </pre>
 */
public final class RuntimeStartBench {

  private RuntimeStartBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    Path dir = Files.createTempDirectory("orch-bench");
    String scope = "orch-bench/" + ProcessHandle.current().pid();
    try {
      List<Path> layers = busyboxLayers(dir);
      try (LinuxContainerRuntime runtime = new LinuxContainerRuntime(dir.resolve("state"), scope)) {
        warmUp(runtime, layers, dir);
        long[] startNanos = new long[n];
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          String id = "bench-" + i;
          long t0 = System.nanoTime();
          runtime.start(config(id, layers, dir, "sleep", "1000"));
          startNanos[i] = System.nanoTime() - t0;
          ids.add(id);
        }
        long r0 = System.nanoTime();
        for (String id : ids) {
          runtime.remove(id);
        }
        long removeNanos = System.nanoTime() - r0;
        Arrays.sort(startNanos);
        System.out.printf("cgroup %s, %d containers: start mean %.2f ms, p50 %.2f ms, p90 %.2f ms, max %.2f ms;"
                + " remove mean %.2f ms%n",
            runtime.cgroups().version(), n, Arrays.stream(startNanos).average().orElse(0) / 1e6,
            startNanos[n / 2] / 1e6, startNanos[(int) (n * 0.9)] / 1e6, startNanos[n - 1] / 1e6,
            removeNanos / 1e6 / n);
        runtime.cgroups().removeScope();
      }
    } finally {
      LinuxContainerRuntime.deleteTree(dir);
    }
  }

  /** The busybox image built, imported and unpacked under {@code dir}: its layer directories. */
  static List<Path> busyboxLayers(Path dir) throws Exception {
    Path archive = dir.resolve("busybox.tar");
    BusyboxImage.build(archive, "busybox:latest");
    ImageStore images = new ImageStore(dir.resolve("images"));
    ImportedImage image = images.importArchive(archive).get(0);
    return images.layerDirs(image.toProto(), null);
  }

  /** The first starts pay for class loading and JIT; they are not what a node sees in steady state. */
  static void warmUp(LinuxContainerRuntime runtime, List<Path> layers, Path dir) throws Exception {
    for (int i = 0; i < 5; i++) {
      runtime.start(config("warm-" + i, layers, dir, "true")).exited().get();
      runtime.remove("warm-" + i);
    }
  }

  static ContainerConfig config(String id, List<Path> layers, Path dir, String... argv) {
    return new ContainerConfig(id, id, layers, List.of(argv), List.of("PATH=/bin"), "/",
        new ResourceLimits(64L << 20, 0, 0), dir.resolve("logs").resolve(id + ".log"));
  }
}
