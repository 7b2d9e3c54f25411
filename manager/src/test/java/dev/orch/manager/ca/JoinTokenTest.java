package dev.orch.manager.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class JoinTokenTest {
  private static final String DIGEST = "0123456789abcdef".repeat(4);
  private static final String SECRET = "abcdefghijklmnopqrstuvwx9";
  private static final String TOKEN = "ORCH-1-" + DIGEST + "-" + SECRET;
  private static final String FIX = "; expected ORCH-1-<64 hex digits>-<25 characters>; copy it again from orchctl swarm join-token worker (or manager)";

  @Test
  void parsesValidToken() {
    JoinToken token = JoinToken.parse(TOKEN);

    assertEquals(new JoinToken(1, DIGEST, SECRET), token);
    assertEquals(TOKEN, token.toString());
    assertEquals(token, JoinToken.parse("  " + TOKEN + "\n"), "a copied line break does not matter");
  }

  @Test
  void refusesWrongPrefix() {
    assertProblem("it does not start with ORCH-1-", "SWMTKN-1-" + DIGEST + "-" + SECRET);
    assertProblem("it does not start with ORCH-1-", "orch-1-" + DIGEST + "-" + SECRET);
    assertProblem("unsupported token version; this orchd reads only ORCH-1- tokens", "ORCH-2-" + DIGEST + "-" + SECRET);
  }

  @Test
  void refusesWrongLength() {
    assertProblem("the secret has 24 characters, not 25", TOKEN.substring(0, TOKEN.length() - 1));
    assertProblem("the secret has 26 characters, not 25", TOKEN + "a");
    assertProblem("there is no '-' between the CA digest and the secret", "ORCH-1-" + DIGEST + SECRET);
    assertProblem("the token is empty", "");
    assertProblem("the token is empty", null);
  }

  @Test
  void refusesWrongDigestLength() {
    assertProblem("the CA digest has 63 characters, not 64", "ORCH-1-" + DIGEST.substring(1) + "-" + SECRET);
    assertProblem("the CA digest has 65 characters, not 64", "ORCH-1-a" + DIGEST + "-" + SECRET);
  }

  @Test
  void refusesUppercaseHex() {
    assertProblem("the CA digest has uppercase hex digits; tokens use lowercase only",
        "ORCH-1-" + DIGEST.toUpperCase() + "-" + SECRET);
  }

  @Test
  void refusesBadAlphabet() {
    assertProblem("the CA digest has a character that is not a hex digit at position 64",
        "ORCH-1-" + DIGEST.substring(0, 63) + "g-" + SECRET);
    assertProblem("the secret may hold only 0-9 and a-z, but character 1 is not one of them",
        "ORCH-1-" + DIGEST + "-A" + SECRET.substring(1));
    assertProblem("the secret may hold only 0-9 and a-z, but character 25 is not one of them",
        "ORCH-1-" + DIGEST + "-" + SECRET.substring(0, 24) + "_");
  }

  @Test
  void errorsNeverEchoTheSecret() {
    String secret = "abcdefghijklmnopqrstuvwx";
    String message = assertThrows(IllegalArgumentException.class, () -> JoinToken.parse("ORCH-1-" + DIGEST + "-" + secret)).getMessage();
    assertFalse(message.contains(secret), message);
  }

  @Test
  void constructorEnforcesTheFormatToo() {
    assertThrows(IllegalArgumentException.class, () -> new JoinToken(2, DIGEST, SECRET));
    assertThrows(IllegalArgumentException.class, () -> new JoinToken(1, DIGEST, "short"));
  }

  @Test
  void newSecretsFitTheFormatAndDiffer() {
    Random random = new Random(42);
    String a = JoinToken.newSecret(random);
    String b = JoinToken.newSecret(random);

    assertTrue(a.matches("[0-9a-z]{25}"), a);
    assertNotEquals(a, b);
    assertEquals(a, JoinToken.newSecret(new Random(42)), "seeded randomness replays");
    JoinToken created = JoinToken.create(DIGEST, new Random(7));
    assertEquals(created, JoinToken.parse(created.toString()));
  }

  @Test
  void secretMatchesOnlyTheSameSecret() {
    JoinToken token = JoinToken.parse(TOKEN);

    assertTrue(token.secretMatches(SECRET));
    assertFalse(token.secretMatches(SECRET.substring(0, 24) + "0"));
    assertFalse(token.secretMatches(SECRET + "0"));
    assertFalse(token.secretMatches(""));
    assertFalse(token.secretMatches(null));
  }

  private static void assertProblem(String problem, String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JoinToken.parse(text));
    assertEquals("invalid join token: " + problem + FIX, e.getMessage());
  }
}
