package dev.orch.agent.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {

  @Test
  void bearerChallengeAsDockerHubSendsIt() {
    AuthChallenge c = AuthChallenge.parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
        + "scope=\"repository:library/busybox:pull\"");
    assertEquals("bearer", c.scheme());
    assertEquals("https://auth.docker.io/token", c.param("realm"));
    assertEquals("registry.docker.io", c.param("service"));
    assertEquals("repository:library/busybox:pull", c.param("scope"));
  }

  @Test
  void basicChallengeAsDistributionSendsIt() {
    AuthChallenge c = AuthChallenge.parse("Basic realm=\"orch-test\"");
    assertEquals("basic", c.scheme());
    assertEquals(Map.of("realm", "orch-test"), c.params());
  }

  @Test
  void tokensSpacesEscapesAndCase() {
    AuthChallenge c = AuthChallenge.parse("BEARER Realm=https://h/t , Service=\"a \\\"b\\\"\",scope=\"x:y,z:pull\"");
    assertEquals("bearer", c.scheme());
    assertEquals("https://h/t", c.param("realm"));
    assertEquals("a \"b\"", c.param("service"));
    assertEquals("x:y,z:pull", c.param("scope"), "commas inside quotes belong to the value");
    assertEquals("", c.param("missing"));
  }

  @Test
  void malformedChallengesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> AuthChallenge.parse(""));
    assertThrows(IllegalArgumentException.class, () -> AuthChallenge.parse("Bearer realm=\"unterminated"));
    assertThrows(IllegalArgumentException.class, () -> AuthChallenge.parse("Bearer realm"));
    assertThrows(IllegalArgumentException.class, () -> AuthChallenge.parse("Bea/rer x=y"));
  }
}
