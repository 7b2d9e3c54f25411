package dev.orch.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.EndpointMode;
import dev.orch.proto.NetworkMode;
import dev.orch.proto.PortConfig;
import dev.orch.proto.PortProtocol;
import dev.orch.proto.PublishMode;
import dev.orch.proto.ServiceSpec;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code service create} networking options, sent over real gRPC to {@link FakeManager}. */
class ServiceNetworkOptionsTest {
    private FakeManager manager;

    @BeforeEach
    void start() throws Exception {
        manager = new FakeManager();
    }

    @AfterEach
    void stop() throws Exception {
        manager.close();
    }

    private CtlRun run(String... args) {
        return CtlRun.run(manager.env(), args);
    }

    private ServiceSpec sent() {
        assertEquals(1, manager.services.size());
        return manager.services.get(0).getSpec();
    }

    @Test
    void sendsNetworksAliasesPortsAndEndpointMode() {
        CtlRun run = run("service", "create", "--name", "web", "-d", "--network", "front",
                "--network", "name=back,alias=api,alias=www", "-p", "8080:80", "-p", "53:53/udp",
                "--publish", "published=9000,target=90,protocol=tcp,mode=host", "-p", "70",
                "--endpoint-mode", "dnsrr", "busybox");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        ServiceSpec spec = sent();
        assertEquals(List.of("front", "back"), spec.getNetworksList().stream().map(n -> n.getTarget()).toList());
        assertEquals(List.of("api", "www"), spec.getNetworks(1).getAliasesList());
        assertEquals(EndpointMode.ENDPOINT_DNSRR, spec.getEndpoint().getMode());
        assertEquals(List.of(
                PortConfig.newBuilder().setPublished(8080).setTarget(80).build(),
                PortConfig.newBuilder().setPublished(53).setTarget(53).setProtocol(PortProtocol.PROTO_UDP).build(),
                PortConfig.newBuilder().setPublished(9000).setTarget(90).setMode(PublishMode.PUBLISH_HOST).build(),
                PortConfig.newBuilder().setTarget(70).build()), spec.getEndpoint().getPortsList());
    }

    @Test
    void hostAndNoneAreNetworkModes() {
        assertEquals(ExitCodes.OK, run("service", "create", "-d", "--network", "host", "busybox").exitCode());
        assertEquals(NetworkMode.NETWORK_MODE_HOST, sent().getNetworkMode());
        assertEquals(0, sent().getNetworksCount());
    }

    @Test
    void refusesMalformedOptionsBeforeSendingAnything() {
        assertEquals("error: invalid --publish \"8080:http\": \"http\" is not a port (1-65535)",
                run("service", "create", "-p", "8080:http", "busybox").errorLine());
        assertEquals("error: invalid --publish \"published=8080\": target= is missing (e.g. published=8080,target=80)",
                run("service", "create", "-p", "published=8080", "busybox").errorLine());
        assertEquals("error: invalid --publish \"published=1,target=2,mode=edge\": mode is ingress (every node)"
                        + " or host (the task's node)",
                run("service", "create", "-p", "published=1,target=2,mode=edge", "busybox").errorLine());
        assertEquals("error: invalid --publish \"80/sctp\": protocol is tcp or udp",
                run("service", "create", "-p", "80/sctp", "busybox").errorLine());
        assertEquals("error: invalid --endpoint-mode \"rr\": use vip or dnsrr",
                run("service", "create", "--endpoint-mode", "rr", "busybox").errorLine());
        assertEquals("error: --network host cannot be combined with other networks",
                run("service", "create", "--network", "host", "--network", "front", "busybox").errorLine());
        assertEquals("error: invalid --network \"label=x\": unknown key \"label\"; use name=NETWORK[,alias=NAME]",
                run("service", "create", "--network", "label=x", "busybox").errorLine());
        assertEquals("error: invalid --driver \"macvlan\": use overlay or bridge",
                run("network", "create", "-d", "macvlan", "n1").errorLine());
        assertTrue(manager.services.isEmpty());
    }
}
