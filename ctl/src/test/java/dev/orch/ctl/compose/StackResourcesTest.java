package dev.orch.ctl.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.ContainerSpec;
import dev.orch.proto.DeployStackRequest;
import dev.orch.proto.EndpointMode;
import dev.orch.proto.HealthConfig;
import dev.orch.proto.Mount;
import dev.orch.proto.MountType;
import dev.orch.proto.NetworkAttachmentConfig;
import dev.orch.proto.NetworkSpec;
import dev.orch.proto.PortConfig;
import dev.orch.proto.PortProtocol;
import dev.orch.proto.PublishMode;
import dev.orch.proto.ServiceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ports, networks, volumes, health checks and runtime keys of stack files into the deploy request. */
class StackResourcesTest {
    @TempDir
    Path dir;

    private StackConverter.Result convert(String text) throws IOException {
        Path f = Files.writeString(dir.resolve("stack.yml"), text);
        return StackConverter.convert(ComposeProject.load(List.of(f), Map.of()), "app", Map.of());
    }

    private String error(String text) {
        return assertThrows(ComposeException.class, () -> convert(text)).getMessage()
                .replace(dir.resolve("stack.yml") + ":", "");
    }

    private static ServiceSpec service(DeployStackRequest r, String name) {
        return r.getServicesList().stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void portsShortLongAndRanges() throws IOException {
        var r = convert("""
                services:
                  web:
                    image: x
                    ports:
                      - 80
                      - "8080:81"
                      - "53:53/udp"
                      - "9000-9001:90-91"
                      - target: 443
                        published: "8443"
                        mode: host
                        protocol: tcp
                """).request();
        PortConfig.Builder p = PortConfig.newBuilder();
        assertEquals(List.of(p.clone().setTarget(80).build(), p.clone().setPublished(8080).setTarget(81).build(),
                p.clone().setPublished(53).setTarget(53).setProtocol(PortProtocol.PROTO_UDP).build(),
                p.clone().setPublished(9000).setTarget(90).build(), p.clone().setPublished(9001).setTarget(91).build(),
                p.clone().setPublished(8443).setTarget(443).setMode(PublishMode.PUBLISH_HOST).build()),
                service(r, "app_web").getEndpoint().getPortsList());
        assertEquals("5:9: port \"127.0.0.1:80:80\" of service web binds a host address: published ports listen on"
                + " every address of every node; use PUBLISHED:TARGET",
                error("services:\n  web:\n    image: x\n    ports:\n      - \"127.0.0.1:80:80\"\n"));
        assertEquals("5:9: \"http\" in port \"http\" is not a port number (1-65535)",
                error("services:\n  web:\n    image: x\n    ports:\n      - http\n"));
        assertEquals("5:28: ports.mode must be ingress (every node) or host (the task's node), not \"local\"",
                error("services:\n  web:\n    image: x\n    ports:\n      - {target: 80, mode: local}\n"));
    }

    @Test
    void networksDefaultAliasesExternalAndIpam() throws IOException {
        var r = convert("""
                services:
                  web:
                    image: x
                  api:
                    image: x
                    networks:
                      back:
                        aliases: [api-internal]
                      shared:
                    deploy:
                      endpoint_mode: dnsrr
                networks:
                  back:
                    internal: true
                    attachable: true
                    ipam:
                      config:
                        - subnet: 10.99.0.0/24
                          gateway: 10.99.0.254
                        - subnet: "2001:db8::/64"
                  shared:
                    external: true
                    name: corp-net
                  unused: {}
                """);
        assertEquals(List.of(NetworkSpec.newBuilder().setName("app_default").setDriver("overlay").build(),
                NetworkSpec.newBuilder().setName("app_back").setDriver("overlay").setInternal(true).setAttachable(true)
                        .setSubnet("10.99.0.0/24").setGateway("10.99.0.254").build()), r.request().getNetworksList());
        assertEquals(List.of(NetworkAttachmentConfig.newBuilder().setTarget("app_default").build()),
                service(r.request(), "app_web").getNetworksList());
        ServiceSpec api = service(r.request(), "app_api");
        assertEquals(List.of(NetworkAttachmentConfig.newBuilder().setTarget("app_back").addAliases("api-internal").build(),
                NetworkAttachmentConfig.newBuilder().setTarget("corp-net").build()), api.getNetworksList());
        assertEquals(EndpointMode.ENDPOINT_DNSRR, api.getEndpoint().getMode());
        assertTrue(r.warnings().contains("ignoring IPv6 subnet 2001:db8::/64 of network back: networks are IPv4 only"),
                r.warnings().toString());
        assertEquals("4:16: service web uses network \"nope\", which is not defined: add it to the top-level networks",
                error("services:\n  web:\n    image: x\n    networks: [nope]\n"));
        assertEquals("6:13: network n has driver \"macvlan\": use overlay (across nodes) or bridge (one node)",
                error("services:\n  web:\n    image: x\nnetworks:\n  n:\n    driver: macvlan\n"));
    }

    @Test
    void volumesShortLongTmpfsAndTopLevelNames() throws IOException {
        var r = convert("""
                services:
                  db:
                    image: x
                    volumes:
                      - data:/var/lib/db
                      - ./conf:/etc/db:ro
                      - /srv/logs:/logs
                      - /cache
                      - type: volume
                        source: shared
                        target: /shared
                        read_only: true
                      - type: tmpfs
                        target: /scratch
                        tmpfs: {size: 64m}
                    tmpfs: /run
                volumes:
                  data:
                  shared:
                    external: true
                    name: team-share
                """).request();
        ContainerSpec c = service(r, "app_db").getContainer();
        Mount.Builder m = Mount.newBuilder();
        assertEquals(List.of(m.clone().setSource("app_data").setTarget("/var/lib/db").build(),
                m.clone().setType(MountType.MOUNT_BIND).setSource(dir.resolve("conf").toString()).setTarget("/etc/db")
                        .setReadOnly(true).build(),
                m.clone().setType(MountType.MOUNT_BIND).setSource("/srv/logs").setTarget("/logs").build(),
                m.clone().setTarget("/cache").build(),
                m.clone().setSource("team-share").setTarget("/shared").setReadOnly(true).build(),
                m.clone().setType(MountType.MOUNT_TMPFS).setTarget("/scratch").setTmpfsSizeBytes(64 << 20).build(),
                m.clone().setType(MountType.MOUNT_TMPFS).setTarget("/run").build()), c.getMountsList());
        assertEquals("5:9: service db mounts volume \"nope\", which is not defined: add it to the top-level volumes",
                error("services:\n  db:\n    image: x\n    volumes:\n      - nope:/data\n"));
        assertEquals("7:5: volume v has driver_opts, which orch's local volumes do not take (no NFS or device mounts);"
                + " remove them or use a bind mount of a path the node has mounted",
                error("services:\n  db:\n    image: x\nvolumes:\n  v:\n    driver: local\n    driver_opts: {type: nfs}\n"));
    }

    @Test
    void healthcheckAndRuntimeKeys() throws IOException {
        var r = convert("""
                services:
                  a:
                    image: x
                    user: "1000:1000"
                    read_only: true
                    cap_add: [NET_ADMIN]
                    cap_drop: [ALL]
                    stop_signal: SIGQUIT
                    stop_grace_period: 1m30s
                    healthcheck:
                      test: ["CMD", "wget", "-q", "localhost"]
                      interval: 10s
                      timeout: 2s
                      retries: 5
                      start_period: 1s
                  b:
                    image: x
                    healthcheck:
                      test: curl -f localhost
                  c:
                    image: x
                    healthcheck:
                      disable: true
                """).request();
        ContainerSpec a = service(r, "app_a").getContainer();
        assertEquals("1000:1000", a.getUser());
        assertTrue(a.getReadOnly());
        assertEquals(List.of("NET_ADMIN"), a.getCapAddList());
        assertEquals(List.of("ALL"), a.getCapDropList());
        assertEquals("SIGQUIT", a.getStopSignal());
        assertEquals(90_000, a.getStopGracePeriodMs());
        assertEquals(HealthConfig.newBuilder().addAllTest(List.of("CMD", "wget", "-q", "localhost")).setIntervalMs(10_000)
                .setTimeoutMs(2_000).setRetries(5).setStartPeriodMs(1_000).build(), a.getHealthcheck());
        assertEquals(List.of("CMD-SHELL", "curl -f localhost"), service(r, "app_b").getContainer().getHealthcheck()
                .getTestList());
        assertEquals(List.of("NONE"), service(r, "app_c").getContainer().getHealthcheck().getTestList());
        assertEquals("5:13: healthcheck.test of service a must be [\"CMD\", \"prog\", \"arg\"...], [\"CMD-SHELL\","
                + " \"command\"] or [\"NONE\"], or a string for the shell",
                error("services:\n  a:\n    image: x\n    healthcheck:\n      test: [\"RUN\", \"x\"]\n"));
        assertEquals("4:16: read_only must be true or false, not \"maybe\"",
                error("services:\n  a:\n    image: x\n    read_only: maybe\n"));
    }
}
