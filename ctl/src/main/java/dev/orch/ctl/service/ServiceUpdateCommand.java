package dev.orch.ctl.service;

import dev.orch.ctl.CommandFailedException;
import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.UsageException;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.connect.RpcFailedException;
import dev.orch.ctl.parse.CpuQuantity;
import dev.orch.ctl.parse.EnvVariables;
import dev.orch.ctl.parse.MemorySize;
import dev.orch.ctl.parse.MountOptions;
import dev.orch.ctl.parse.PlacementOptions;
import dev.orch.ctl.parse.ReplicaCount;
import dev.orch.ctl.parse.ShellWords;
import dev.orch.ctl.registry.RegistryCredentials;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.GetServiceRequest;
import dev.orch.proto.Mount;
import dev.orch.proto.Placement;
import dev.orch.proto.Resources;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceMode;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.UpdateServiceRequest;
import dev.orch.proto.UpdateState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code orchctl service update [OPTIONS] SERVICE}: a read-modify-write of the spec carrying the
 * version read (retried once on a conflict, like scale). A change that replaces tasks is rolled out
 * by the manager's updater; unless {@code -d} this follows it to the end, as docker does.
 */
@Command(name = "update", mixinStandardHelpOptions = true,
        description = "Update a service; unless -d, follow the rolling update until it completes.",
        footer = {"", "Waits up to ORCH_WAIT_TIMEOUT seconds (default 60)."})
final class ServiceUpdateCommand implements Callable<Integer> {
    private final CtlContext context;

    @Option(names = "--image", paramLabel = "IMAGE", description = "Run this image.")
    String image;

    @Option(names = "--args", paramLabel = "COMMAND", description = "The container's command, as one shell-quoted string.")
    String args;

    @Option(names = "--env-add", paramLabel = "KEY=VALUE", description = "Add or change an environment variable.")
    List<String> envAdd = new ArrayList<>();

    @Option(names = "--env-rm", paramLabel = "KEY", description = "Remove an environment variable.")
    List<String> envRm = new ArrayList<>();

    @Option(names = "--replicas", paramLabel = "N", description = "Number of tasks (completions for a replicated job).")
    String replicas;

    @Option(names = "--limit-memory", paramLabel = "BYTES", description = "Memory limit (e.g. 64M; 0 = none).")
    String limitMemory;

    @Option(names = "--limit-cpu", paramLabel = "CPUS", description = "CPU limit (e.g. 0.5).")
    String limitCpu;

    @Option(names = "--reserve-memory", paramLabel = "BYTES", description = "Memory to reserve (e.g. 32M; 0 = none).")
    String reserveMemory;

    @Option(names = "--reserve-cpu", paramLabel = "CPUS", description = "CPUs to reserve (e.g. 0.25).")
    String reserveCpu;

    @Option(names = "--constraint-add", paramLabel = "KEY==VALUE", description = "Add a placement constraint.")
    List<String> constraintAdd = new ArrayList<>();

    @Option(names = "--constraint-rm", paramLabel = "KEY==VALUE", description = "Remove a placement constraint.")
    List<String> constraintRm = new ArrayList<>();

    @Option(names = "--force", description = "Replace every task even if nothing changed.")
    boolean force;

    @Option(names = "--rollback", description = "Go back to the previous spec (as orchctl service rollback).")
    boolean rollback;

    @Option(names = "--mount-add", paramLabel = "type=..,src=..,dst=..",
            description = "Add or replace (by target) a mount, as service create --mount.")
    List<String> mountAdd = new ArrayList<>();

    @Option(names = "--mount-rm", paramLabel = "TARGET", description = "Remove the mount at this path in the container.")
    List<String> mountRm = new ArrayList<>();

    @Option(names = "--with-registry-auth",
            description = "Send this client's credentials for the image's registry (orchctl registry login, or docker's config.json) to the nodes.")
    boolean withRegistryAuth;

    @Option(names = {"-d", "--detach"}, description = "Exit once the change is accepted, without following it.")
    boolean detach;

    @Mixin
    ServiceLifecycleOptions lifecycle;

    @Mixin
    ServiceNetworkUpdates network;

    @Mixin
    ContainerRuntimeOptions runtime;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "Service id, id prefix or name.")
    String service;

    ServiceUpdateCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if (rollback) {
            return ServiceRollbackCommand.rollBack(context, service, detach);
        }
        // Parse every option once against a stand-in spec first, so a typo fails before any call.
        network.check();
        applyExceptNetwork(ServiceSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("x")
                        .addAllMounts(mountRm.stream().map(t -> Mount.newBuilder().setTarget(t.strip()).build()).toList()))
                .setPlacement(Placement.newBuilder().addAllConstraints(
                        constraintRm.stream().map(PlacementOptions::constraint).toList()))
                .build());
        try (ManagerConnection connection = context.connect()) {
            Service updated;
            try {
                updated = updateOnce(connection);
            } catch (RpcFailedException e) {
                if (!e.isVersionConflict()) {
                    throw e;
                }
                updated = updateOnce(connection);
            }
            context.out().println(updated.getSpec().getName());
            context.out().flush();
            if (detach) {
                return ExitCodes.OK;
            }
            ServiceProgress.Goal goal = updated.getSpec().getMode() == ServiceMode.MODE_REPLICATED_JOB
                    || updated.getSpec().getMode() == ServiceMode.MODE_GLOBAL_JOB ? ServiceProgress.Goal.JOB
                    : updated.getUpdateStatus().getState() == UpdateState.UPDATING ? ServiceProgress.Goal.UPDATE
                    : ServiceProgress.Goal.CONVERGE;
            ServiceProgress.forService(connection, context.clock(), updated.getMeta().getId(), context.out())
                    .await(goal, context.waitTimeout());
            return ExitCodes.OK;
        }
    }

    private Service updateOnce(ManagerConnection connection) {
        Service current = connection.call(control -> control.getService(
                GetServiceRequest.newBuilder().setService(service).build())).getService();
        network.resolve(connection);
        ServiceSpec spec = apply(current.getSpec());
        UpdateServiceRequest.Builder request = UpdateServiceRequest.newBuilder()
                .setService(current.getMeta().getId())
                .setVersion(current.getMeta().getVersion())
                .setSpec(spec);
        if (withRegistryAuth) {
            request.setRegistryAuth(new RegistryCredentials(context.env())
                    .forRegistry(RegistryCredentials.registryOf(spec.getContainer().getImage())));
        }
        return connection.call(control -> control.updateService(request.build())).getService();
    }

    /** {@code current} with every option applied. */
    ServiceSpec apply(ServiceSpec current) {
        ServiceSpec.Builder spec = applyExceptNetwork(current).toBuilder();
        network.applyTo(current, spec);
        return spec.build();
    }

    private ServiceSpec applyExceptNetwork(ServiceSpec current) {
        ServiceSpec.Builder spec = current.toBuilder();
        ContainerSpec.Builder container = spec.getContainerBuilder();
        if (image != null) {
            if (image.isBlank()) {
                throw new UsageException("--image is empty: give an image reference (e.g. busybox:latest)");
            }
            container.setImage(image);
        }
        if (args != null) {
            container.clearCommand().addAllCommand(ShellWords.split("--args", args));
        }
        if (!envAdd.isEmpty() || !envRm.isEmpty()) {
            container.clearEnv().addAllEnv(env(current.getContainer().getEnvList()));
        }
        if (!mountAdd.isEmpty() || !mountRm.isEmpty()) {
            container.clearMounts().addAllMounts(mounts(current.getContainer().getMountsList()));
        }
        runtime.updateFrom(current.getContainer(), container);
        if (replicas != null) {
            spec.setReplicas(ReplicaCount.parse("--replicas", replicas));
        }
        spec.setLimits(resources(current.getLimits(), limitMemory, "--limit-memory", limitCpu, "--limit-cpu"));
        spec.setReservations(resources(current.getReservations(), reserveMemory, "--reserve-memory",
                reserveCpu, "--reserve-cpu"));
        spec.setPlacement(placement(current.getPlacement()));
        if (force) {
            spec.setForceUpdate(current.getForceUpdate() + 1);
        }
        lifecycle.applyTo(spec);
        return spec.build();
    }

    /** Adds first, then removes, keeping the order of the variables that stay. */
    private List<String> env(List<String> currentEnv) {
        Map<String, String> vars = new LinkedHashMap<>();
        for (String entry : currentEnv) {
            int eq = entry.indexOf('=');
            vars.put(eq < 0 ? entry : entry.substring(0, eq), entry);
        }
        for (String entry : EnvVariables.parse(envAdd, context.env())) {
            vars.put(entry.substring(0, entry.indexOf('=')), entry);
        }
        for (String key : envRm) {
            if (key.isBlank() || key.contains("=")) {
                throw new UsageException("invalid --env-rm \"" + key + "\": give the variable's name (e.g. --env-rm DEBUG)");
            }
            vars.remove(key.strip());
        }
        return new ArrayList<>(vars.values());
    }

    /** Removes first, then adds (replacing a mount on the same target), as docker does. */
    private List<Mount> mounts(List<Mount> current) {
        List<Mount> out = new ArrayList<>(current);
        for (String target : mountRm) {
            if (!out.removeIf(m -> m.getTarget().equals(target.strip()))) {
                throw new CommandFailedException("--mount-rm " + target + ": the service has no mount there"
                        + (out.isEmpty() ? "" : " (it has " + String.join(", ", out.stream().map(Mount::getTarget).toList()) + ")"));
            }
        }
        for (String spec : mountAdd) {
            Mount m = MountOptions.parse("--mount-add", spec);
            out.removeIf(x -> x.getTarget().equals(m.getTarget()));
            out.add(m);
        }
        return out;
    }

    private static Resources resources(Resources current, String memory, String memoryOption, String cpu,
            String cpuOption) {
        Resources.Builder r = current.toBuilder();
        if (memory != null) {
            r.setMemoryBytes(MemorySize.parse(memoryOption, memory));
        }
        if (cpu != null) {
            r.setNanoCpus(cpu.strip().equals("0") ? 0 : CpuQuantity.parseNanoCpus(cpuOption, cpu));
        }
        return r.build();
    }

    private Placement placement(Placement current) {
        Placement.Builder p = current.toBuilder();
        List<String> constraints = new ArrayList<>(current.getConstraintsList());
        constraintAdd.forEach(c -> {
            String normal = PlacementOptions.constraint(c);
            if (!constraints.contains(normal)) {
                constraints.add(normal);
            }
        });
        for (String c : constraintRm) {
            String normal = PlacementOptions.constraint(c);
            if (!constraints.remove(normal)) {
                throw new CommandFailedException("--constraint-rm \"" + c + "\": the service has no such constraint"
                        + (constraints.isEmpty() ? "" : " (it has " + String.join(", ", constraints) + ")"));
            }
        }
        return p.clearConstraints().addAllConstraints(constraints).build();
    }
}
