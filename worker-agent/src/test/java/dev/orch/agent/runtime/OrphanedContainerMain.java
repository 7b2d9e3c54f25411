package dev.orch.agent.runtime;

import dev.orch.agent.runtime.ContainerConfig.ResourceLimits;
import java.nio.file.Path;
import java.util.List;

/**
 * Stands in for an orchd that starts a container and is then killed: started in a child JVM by
 * {@link LinuxContainerRuntimeTest}. Args: stateRoot scope logFile layerDir...
 */
public final class OrphanedContainerMain {

  private OrphanedContainerMain() {}

  public static void main(String[] args) throws Exception {
    List<Path> layers = List.of(args).subList(3, args.length).stream().map(Path::of).toList();
    LinuxContainerRuntime runtime = new LinuxContainerRuntime(Path.of(args[0]), args[1]);
    Container c = runtime.start(new ContainerConfig("orphan", "orphan", layers, List.of("sleep", "1000"),
        List.of("PATH=/bin"), "/", new ResourceLimits(0, 0, 0), Path.of(args[2])));
    System.out.println("started " + c.pid());
    System.out.flush();
    // Wait to be killed, like a daemon would: the parent test sends SIGKILL.
    System.in.read();
  }
}
