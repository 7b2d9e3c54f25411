package dev.orch.ctl.service;

import dev.orch.ctl.parse.NetworkOptions;
import dev.orch.proto.EndpointSpec;
import dev.orch.proto.NetworkMode;
import dev.orch.proto.ServiceSpec;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code service create}'s networking options. */
final class ServiceNetworkOptions {
    @Option(names = "--network", paramLabel = "NETWORK",
            description = "Attach to a network (name, or name=NET,alias=A); repeat for several. "
                    + "host: the node's network; none: loopback only.")
    List<String> networks = new ArrayList<>();

    @Option(names = {"-p", "--publish"}, paramLabel = "PORT",
            description = "Publish a port: 8080:80[/udp], or published=8080,target=80[,protocol=udp][,mode=host]. "
                    + "Without a published port one is chosen from 30000-32767.")
    List<String> publish = new ArrayList<>();

    @Option(names = "--endpoint-mode", paramLabel = "MODE",
            description = "vip (default: the name resolves to a virtual IP) or dnsrr (to the task addresses).")
    String endpointMode;

    void applyTo(ServiceSpec.Builder spec) {
        NetworkMode mode = NetworkOptions.modeOf(networks);
        spec.setNetworkMode(mode);
        if (mode == NetworkMode.NETWORK_MODE_DEFAULT) {
            networks.forEach(n -> spec.addNetworks(NetworkOptions.network("--network", n)));
        }
        EndpointSpec.Builder endpoint = EndpointSpec.newBuilder();
        if (endpointMode != null) {
            endpoint.setMode(NetworkOptions.endpointMode(endpointMode));
        }
        publish.forEach(p -> endpoint.addPorts(NetworkOptions.port("--publish", p)));
        if (!endpoint.build().equals(EndpointSpec.getDefaultInstance())) {
            spec.setEndpoint(endpoint);
        }
    }
}
