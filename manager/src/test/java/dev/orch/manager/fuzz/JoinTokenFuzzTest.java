package dev.orch.manager.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.orch.manager.ca.JoinToken;

/**
 * The join-token parser reads text from anyone who can reach a manager. Whatever the input, it
 * either yields a token that prints back to itself or refuses with an IllegalArgumentException
 * that does not echo the secret part; anything else (another exception, a hang) is a finding.
 */
class JoinTokenFuzzTest {
  @FuzzTest(maxDuration = "15s")
  void parse(String text) {
    JoinToken token;
    try {
      token = JoinToken.parse(text);
    } catch (IllegalArgumentException refused) {
      assertTrue(refused.getMessage().startsWith("invalid join token: "), refused.getMessage());
      int dash = text == null ? -1 : text.strip().lastIndexOf('-');
      if (dash >= 0 && text.strip().length() - dash > 8) {
        String secret = text.strip().substring(dash + 1);
        assertFalse(refused.getMessage().contains(secret), "the refusal echoes the secret: " + refused.getMessage());
      }
      return;
    }
    assertEquals(token, JoinToken.parse(token.toString()));
  }
}
