package dev.orch.ctl.service;

import dev.orch.ctl.CommandFailedException;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.parse.NetworkOptions;
import dev.orch.proto.EndpointSpec;
import dev.orch.proto.GetNetworkRequest;
import dev.orch.proto.NetworkAttachmentConfig;
import dev.orch.proto.NetworkMode;
import dev.orch.proto.PortConfig;
import dev.orch.proto.ServiceSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code service update}'s networking options, docker's: networks and ports are added and removed
 * one by one. A service keeps its networks as ids, so names given to --network-rm are looked up.
 */
final class ServiceNetworkUpdates {
    @Option(names = "--network-add", paramLabel = "NETWORK",
            description = "Attach to a network (name, or name=NET,alias=A; host or none switch the mode).")
    List<String> networkAdd = new ArrayList<>();

    @Option(names = "--network-rm", paramLabel = "NETWORK", description = "Detach from a network.")
    List<String> networkRm = new ArrayList<>();

    @Option(names = "--publish-add", paramLabel = "PORT",
            description = "Publish a port (8080:80[/udp] or published=8080,target=80[,protocol=udp][,mode=host]).")
    List<String> publishAdd = new ArrayList<>();

    @Option(names = "--publish-rm", paramLabel = "PORT",
            description = "Stop publishing a port, given as its published port (8080 or 8080/udp).")
    List<String> publishRm = new ArrayList<>();

    @Option(names = "--endpoint-mode", paramLabel = "MODE", description = "vip or dnsrr.")
    String endpointMode;

    private final Map<String, String> idsByName = new HashMap<>();

    /** Parses every value once, before any call is made. */
    void check() {
        networkAdd.forEach(n -> {
            if (NetworkOptions.mode(n) == null) {
                NetworkOptions.network("--network-add", n);
            }
        });
        publishAdd.forEach(p -> NetworkOptions.port("--publish-add", p));
        publishRm.forEach(p -> NetworkOptions.port("--publish-rm", p + (p.contains("/") ? "" : "/tcp")).getTarget());
        if (endpointMode != null) {
            NetworkOptions.endpointMode(endpointMode);
        }
    }

    /** Looks up the ids of the networks to remove (the spec names networks by id). */
    void resolve(ManagerConnection connection) {
        for (String name : networkRm) {
            String id = connection.call(control -> control.getNetwork(
                    GetNetworkRequest.newBuilder().setNetwork(name.strip()).build())).getNetwork().getMeta().getId();
            idsByName.put(name.strip(), id);
        }
    }

    void applyTo(ServiceSpec current, ServiceSpec.Builder spec) {
        List<NetworkAttachmentConfig> networks = new ArrayList<>(current.getNetworksList());
        for (String name : networkRm) {
            String id = idsByName.getOrDefault(name.strip(), name.strip());
            if (!networks.removeIf(c -> c.getTarget().equals(id) || c.getTarget().equals(name.strip()))) {
                throw new CommandFailedException("--network-rm " + name + ": the service is not on that network");
            }
        }
        for (String value : networkAdd) {
            NetworkMode mode = NetworkOptions.mode(value);
            if (mode != null) {
                spec.setNetworkMode(mode);
            } else {
                networks.add(NetworkOptions.network("--network-add", value));
            }
        }
        if (!networkAdd.isEmpty() && networkAdd.stream().allMatch(v -> NetworkOptions.mode(v) == null)) {
            spec.setNetworkMode(NetworkMode.NETWORK_MODE_DEFAULT);
        }
        spec.clearNetworks().addAllNetworks(networks);
        EndpointSpec.Builder endpoint = current.getEndpoint().toBuilder();
        List<PortConfig> ports = new ArrayList<>(current.getEndpoint().getPortsList());
        for (String value : publishRm) {
            PortConfig p = NetworkOptions.port("--publish-rm", value.contains("/") ? value : value + "/tcp");
            int published = p.getTarget();
            if (!ports.removeIf(x -> x.getPublished() == published && x.getProtocol() == p.getProtocol())) {
                throw new CommandFailedException("--publish-rm " + value + ": the service does not publish that port");
            }
        }
        publishAdd.forEach(p -> ports.add(NetworkOptions.port("--publish-add", p)));
        endpoint.clearPorts().addAllPorts(ports);
        if (endpointMode != null) {
            endpoint.setMode(NetworkOptions.endpointMode(endpointMode));
        }
        if (!endpoint.build().equals(current.getEndpoint())) {
            spec.setEndpoint(endpoint);
        }
    }
}
