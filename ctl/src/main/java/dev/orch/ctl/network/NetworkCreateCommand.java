package dev.orch.ctl.network;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.UsageException;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.parse.LabelChanges;
import dev.orch.proto.CreateNetworkRequest;
import dev.orch.proto.Network;
import dev.orch.proto.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code orchctl network create [-d overlay|bridge] [--subnet] [--gateway] [--attachable] [--internal] NAME}. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create a network; prints its id. The manager allocates its subnet and VXLAN id.")
final class NetworkCreateCommand implements Callable<Integer> {
    private final CtlContext context;

    @Option(names = {"-d", "--driver"}, paramLabel = "DRIVER",
            description = "overlay (default: spans the nodes over VXLAN) or bridge (node-local).")
    String driver;

    @Option(names = "--subnet", paramLabel = "CIDR",
            description = "Subnet, e.g. 10.20.0.0/24 (default: the next free one of the address pool).")
    String subnet;

    @Option(names = "--gateway", paramLabel = "IP", description = "Gateway (default: the subnet's first address).")
    String gateway;

    @Option(names = "--attachable", description = "Let standalone containers attach (recorded; no such "
            + "containers exist in orch yet).")
    boolean attachable;

    @Option(names = "--internal", description = "No route out of the cluster from this network.")
    boolean internal;

    @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "Set a label; repeat for several.")
    List<String> labels = new ArrayList<>();

    @Parameters(index = "0", paramLabel = "NAME", description = "Network name.")
    String name;

    NetworkCreateCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        NetworkSpec spec = spec();
        try (ManagerConnection connection = context.connect()) {
            Network n = connection.call(control -> control.createNetwork(
                    CreateNetworkRequest.newBuilder().setSpec(spec).build())).getNetwork();
            context.out().println(n.getMeta().getId());
            return ExitCodes.OK;
        }
    }

    NetworkSpec spec() {
        if (driver != null && !driver.strip().equals("overlay") && !driver.strip().equals("bridge")) {
            throw new UsageException("invalid --driver \"" + driver + "\": use overlay or bridge");
        }
        NetworkSpec.Builder spec = NetworkSpec.newBuilder()
                .setName(name)
                .setDriver(driver == null ? "overlay" : driver.strip())
                .setAttachable(attachable)
                .setInternal(internal)
                .putAllLabels(LabelChanges.parse(labels, List.of()).add());
        if (subnet != null) {
            spec.setSubnet(subnet.strip());
        }
        if (gateway != null) {
            spec.setGateway(gateway.strip());
        }
        return spec.build();
    }
}
