package dev.orch.agent.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RegistryReferenceTest {
  private static final String DIGEST = "sha256:" + "ab".repeat(32);

  @Test
  void dockerHubDefaults() {
    RegistryReference r = RegistryReference.parse("busybox");
    assertEquals(new RegistryReference("docker.io", "library/busybox", "latest", null), r);
    assertEquals("registry-1.docker.io", r.apiHost());
    assertEquals("busybox:latest", r.familiarName());
    assertEquals(r, RegistryReference.parse("docker.io/library/busybox:latest"));
    assertEquals(r, RegistryReference.parse("index.docker.io/library/busybox"));
    assertEquals(new RegistryReference("docker.io", "grafana/loki", "2.9", null), RegistryReference.parse("grafana/loki:2.9"));
    assertEquals("grafana/loki:2.9", RegistryReference.parse("grafana/loki:2.9").familiarName());
  }

  @Test
  void registryHostsPortsAndTags() {
    RegistryReference r = RegistryReference.parse("10.250.0.11:5000/demo:1");
    assertEquals(new RegistryReference("10.250.0.11:5000", "demo", "1", null), r);
    assertEquals("10.250.0.11:5000", r.apiHost());
    assertEquals("10.250.0.11:5000/demo:1", r.familiarName());
    assertEquals(new RegistryReference("localhost", "team/app", "latest", null), RegistryReference.parse("localhost/team/app"));
    assertEquals(new RegistryReference("ghcr.io", "org/a/b", "v1.2-rc_3", null), RegistryReference.parse("ghcr.io/org/a/b:v1.2-rc_3"));
    // a first component without '.', ':' or localhost is a Docker Hub user, not a host
    assertEquals("docker.io", RegistryReference.parse("registry/app").registry());
  }

  @Test
  void digests() {
    RegistryReference byDigest = RegistryReference.parse("reg.example.com/app@" + DIGEST);
    assertNull(byDigest.tag());
    assertEquals(DIGEST, byDigest.digest());
    assertEquals(DIGEST, byDigest.manifestReference());
    assertNull(byDigest.familiarName());
    RegistryReference both = RegistryReference.parse("app:1@" + DIGEST);
    assertEquals("1", both.tag());
    assertEquals(DIGEST, both.manifestReference(), "the digest wins over the tag");
  }

  @Test
  void badReferencesSayWhatIsWrong() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RegistryReference.parse("Busybox"))
        .getMessage().contains("lowercase"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RegistryReference.parse("app@sha256:12"))
        .getMessage().contains("64 lowercase hex"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RegistryReference.parse("app:.bad"))
        .getMessage().contains("tag"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RegistryReference.parse("reg:5000//app"))
        .getMessage().contains("invalid image reference"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RegistryReference.parse(" "))
        .getMessage().contains("empty"));
  }
}
