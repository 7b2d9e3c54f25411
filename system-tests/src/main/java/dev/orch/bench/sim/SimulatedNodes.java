package dev.orch.bench.sim;

import dev.orch.proto.NodeDescription;
import dev.orch.proto.Resources;

/**
 * SIMULATION: what a simulated node reports about itself. Node {@code i} is named {@code
 * sim-NNNNN} and has 16 CPUs and 64 GiB; its engine carries the label {@code simulated=true}.
 */
public final class SimulatedNodes {
  public static final String HOSTNAME_PREFIX = "sim-";

  private SimulatedNodes() {}

  public static String hostname(int i) {
    return String.format(HOSTNAME_PREFIX + "%05d", i);
  }

  public static NodeDescription description(int i) {
    return NodeDescription.newBuilder()
        .setHostname(hostname(i))
        .setOs("linux")
        .setArch("amd64")
        .setEngineVersion("orch simulated worker")
        .putEngineLabels("simulated", "true")
        .setResources(Resources.newBuilder().setNanoCpus(16_000_000_000L).setMemoryBytes(64L << 30))
        .build();
  }
}
