package dev.orch.ctl.service;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.UsageException;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.parse.CpuQuantity;
import dev.orch.ctl.parse.EnvVariables;
import dev.orch.ctl.parse.FileReferences;
import dev.orch.ctl.parse.MemorySize;
import dev.orch.ctl.parse.MountOptions;
import dev.orch.ctl.parse.PlacementOptions;
import dev.orch.ctl.parse.ReplicaCount;
import dev.orch.ctl.registry.RegistryCredentials;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.CreateServiceRequest;
import dev.orch.proto.Placement;
import dev.orch.proto.Resources;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceMode;
import dev.orch.proto.ServiceSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code orchctl service create}. Option values are taken as strings and validated here rather
 * than by picocli converters, so that every bad value gets the same kind of message, naming the
 * option, the value and a valid example.
 */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create a service; unless -d, wait until all its replicas are running.",
        footer = {"", "Everything after IMAGE is the container's command: "
                + "orchctl service create busybox sh -c 'echo hi; sleep 1d'",
                "Waits up to ORCH_WAIT_TIMEOUT seconds (default 60) for the replicas to run."})
final class ServiceCreateCommand implements Callable<Integer> {
    private final CtlContext context;

    @Option(names = "--name", paramLabel = "NAME", description = "Service name.")
    String name;

    @Option(names = "--replicas", paramLabel = "N", description = "Number of tasks (default 1).")
    String replicas;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE",
            description = "Set an environment variable; KEY alone passes this shell's value.")
    List<String> env = new ArrayList<>();

    @Option(names = "--limit-memory", paramLabel = "BYTES", description = "Memory limit (e.g. 64M).")
    String limitMemory;

    @Option(names = "--limit-cpu", paramLabel = "CPUS", description = "CPU limit (e.g. 0.5).")
    String limitCpu;

    @Option(names = "--reserve-memory", paramLabel = "BYTES",
            description = "Memory to reserve on the chosen node (e.g. 32M).")
    String reserveMemory;

    @Option(names = "--reserve-cpu", paramLabel = "CPUS",
            description = "CPUs to reserve on the chosen node (e.g. 0.25).")
    String reserveCpu;

    @Option(names = "--mode", paramLabel = "MODE",
            description = "replicated (default), global (one task per eligible node), replicated-job "
                    + "(--replicas completions, --max-concurrent at once) or global-job (one per node).")
    String mode;

    @Option(names = "--constraint", paramLabel = "KEY==VALUE",
            description = "Run only on nodes where this holds, e.g. node.labels.zone==eu or "
                    + "node.role!=manager; repeat for several (all must hold).")
    List<String> constraints = new ArrayList<>();

    @Option(names = "--placement-pref", paramLabel = "spread=DESCRIPTOR",
            description = "Spread tasks evenly over the values of a node attribute, e.g. "
                    + "spread=node.labels.zone; repeat for nested levels, outermost first.")
    List<String> placementPrefs = new ArrayList<>();

    @Option(names = "--replicas-max-per-node", paramLabel = "N",
            description = "At most N tasks of this service on one node (default 0: no limit).")
    String replicasMaxPerNode;

    @Option(names = "--placement-strategy", paramLabel = "STRATEGY",
            description = "spread (default: fewest tasks first) or binpack (fullest node that fits).")
    String placementStrategy;

    @Option(names = "--hostname", paramLabel = "HOSTNAME", description = "Container hostname.")
    String hostname;

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR",
            description = "Working directory inside the container (absolute).")
    String workdir;

    @Option(names = "--mount", paramLabel = "type=volume|bind|tmpfs,src=..,dst=..",
            description = "Mount a volume, a host path or a tmpfs (repeatable), e.g. type=volume,src=data,dst=/data.")
    List<String> mounts = new ArrayList<>();

    @Option(names = "--with-registry-auth",
            description = "Send this client's credentials for the image's registry (orchctl registry login, or docker's config.json) to the nodes.")
    boolean withRegistryAuth;

    @Option(names = "--entrypoint", paramLabel = "CMD",
            description = "Replace the image's entrypoint (and its default command), e.g. "
                    + "--entrypoint 'sh -c'.")
    String entrypoint;

    @Option(names = "--secret", paramLabel = "SECRET",
            description = "Give the container a secret as a file: NAME (at /run/secrets/NAME) or "
                    + "source=NAME,target=PATH,uid=N,gid=N,mode=0400; repeat for several.")
    List<String> secrets = new ArrayList<>();

    @Option(names = "--config", paramLabel = "CONFIG",
            description = "Give the container a config as a file: NAME (at /NAME) or "
                    + "source=NAME,target=PATH,uid=N,gid=N,mode=0444; repeat for several.")
    List<String> configs = new ArrayList<>();

    @Option(names = {"-d", "--detach"},
            description = "Print the service id and exit without waiting for the tasks.")
    boolean detach;

    @Mixin
    ServiceLifecycleOptions lifecycle;

    @Mixin
    ContainerRuntimeOptions runtime;

    @Mixin
    ServiceNetworkOptions network;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "Image reference, e.g. busybox:latest.")
    String image;

    @Parameters(index = "1..*", paramLabel = "COMMAND", description = "Command and its arguments.")
    List<String> command = new ArrayList<>();

    ServiceCreateCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        ServiceSpec spec = buildSpec();
        CreateServiceRequest.Builder request = CreateServiceRequest.newBuilder().setSpec(spec);
        if (withRegistryAuth) {
            request.setRegistryAuth(new RegistryCredentials(context.env()).forRegistry(RegistryCredentials.registryOf(image)));
        }
        Duration waitTimeout = detach ? Duration.ZERO : context.waitTimeout();
        try (ManagerConnection connection = context.connect()) {
            Service service = connection.call(control -> control.createService(request.build())).getService();
            context.out().println(service.getMeta().getId());
            if (detach) {
                return ExitCodes.OK;
            }
            if (spec.getMode() != ServiceMode.MODE_REPLICATED) {
                // global services and jobs: the manager knows how many tasks that makes
                ServiceProgress.forService(connection, context.clock(), service.getMeta().getId(), context.out())
                        .await(spec.getMode() == ServiceMode.MODE_GLOBAL ? ServiceProgress.Goal.CONVERGE
                                : ServiceProgress.Goal.JOB, waitTimeout);
                return ExitCodes.OK;
            }
            ConvergenceWatcher watcher = ConvergenceWatcher.forService(connection, context.clock(),
                    service.getMeta().getId());
            ConvergenceWatcher.Progress progress = watcher.await(spec.getReplicas(), waitTimeout);
            // the manager names services created without --name; use the name it chose
            String label = service.getSpec().getName().isEmpty()
                    ? service.getMeta().getId() : service.getSpec().getName();
            ConvergenceWatcher.report(context.out(), label, progress, waitTimeout);
            return ExitCodes.OK;
        }
    }

    /** Validates every option, so nothing is sent unless the whole command line is right. */
    ServiceSpec buildSpec() {
        if (image.isBlank()) {
            throw new UsageException("IMAGE is empty: give an image reference (e.g. busybox:latest)");
        }
        if (workdir != null && !workdir.startsWith("/")) {
            throw new UsageException("invalid --workdir \"" + workdir
                    + "\": use an absolute path inside the container (e.g. /app)");
        }
        ContainerSpec.Builder container = ContainerSpec.newBuilder()
                .setImage(image)
                .addAllCommand(command)
                .addAllEnv(EnvVariables.parse(env, context.env()));
        if (entrypoint != null) {
            container.addAllEntrypoint(dev.orch.ctl.parse.ShellWords.split("--entrypoint", entrypoint));
        }
        secrets.forEach(v -> container.addSecrets(FileReferences.parse("--secret", v)));
        configs.forEach(v -> container.addConfigs(FileReferences.parse("--config", v)));
        if (hostname != null) {
            container.setHostname(hostname);
        }
        if (workdir != null) {
            container.setWorkdir(workdir);
        }
        runtime.applyTo(container);
        mounts.forEach(m -> container.addMounts(MountOptions.parse("--mount", m)));
        ServiceMode serviceMode = mode == null ? ServiceMode.MODE_REPLICATED : PlacementOptions.mode(mode);
        boolean global = serviceMode == ServiceMode.MODE_GLOBAL || serviceMode == ServiceMode.MODE_GLOBAL_JOB;
        if (global && replicas != null) {
            throw new UsageException("--replicas cannot be used with --mode " + mode.strip() + ": a global service"
                    + " runs one task on every eligible node");
        }
        ServiceSpec.Builder spec = ServiceSpec.newBuilder()
                .setContainer(container)
                .setMode(serviceMode)
                .setPlacement(placement())
                .setReplicas(global ? 0
                        : replicas == null ? 1 : ReplicaCount.parse("--replicas", replicas));
        if (name != null) {
            spec.setName(name);
        }
        Resources limits = resources(limitMemory, "--limit-memory", limitCpu, "--limit-cpu");
        Resources reservations =
                resources(reserveMemory, "--reserve-memory", reserveCpu, "--reserve-cpu");
        checkReservationFitsLimit(limits, reservations);
        spec.setLimits(limits).setReservations(reservations);
        lifecycle.applyTo(spec);
        network.applyTo(spec);
        return spec.build();
    }

    private Placement placement() {
        Placement.Builder placement = Placement.newBuilder();
        constraints.forEach(c -> placement.addConstraints(PlacementOptions.constraint(c)));
        placementPrefs.forEach(p -> placement.addPreferences(PlacementOptions.preference(p)));
        if (replicasMaxPerNode != null) {
            placement.setMaxReplicasPerNode(
                    ReplicaCount.parse("--replicas-max-per-node", replicasMaxPerNode));
        }
        if (placementStrategy != null) {
            placement.setStrategy(PlacementOptions.strategy(placementStrategy));
        }
        return placement.build();
    }

    private static Resources resources(String memory, String memoryOption, String cpu,
            String cpuOption) {
        Resources.Builder resources = Resources.newBuilder();
        if (memory != null) {
            resources.setMemoryBytes(MemorySize.parse(memoryOption, memory));
        }
        if (cpu != null) {
            resources.setNanoCpus(CpuQuantity.parseNanoCpus(cpuOption, cpu));
        }
        return resources.build();
    }

    /** A reservation larger than the limit could be scheduled but never used; refuse it early. */
    private void checkReservationFitsLimit(Resources limits, Resources reservations) {
        if (limits.getMemoryBytes() > 0
                && reservations.getMemoryBytes() > limits.getMemoryBytes()) {
            throw new UsageException("--reserve-memory " + reserveMemory + " is more than "
                    + "--limit-memory " + limitMemory + ": a reservation must fit in the limit");
        }
        if (limits.getNanoCpus() > 0 && reservations.getNanoCpus() > limits.getNanoCpus()) {
            throw new UsageException("--reserve-cpu " + reserveCpu + " is more than --limit-cpu "
                    + limitCpu + ": a reservation must fit in the limit");
        }
    }
}
