package dev.orch.manager.ca;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Random;

/**
 * A join token, {@code ORCH-1-<CA digest>-<secret>}. The digest lets a joining node trust the root
 * CA it fetches over an unauthenticated connection; the secret admits it, as a worker or a manager
 * depending on which of the cluster's two tokens it holds.
 *
 * <p>{@link #toString()} is the token itself, secret included: log {@link #caDigest()} instead.
 *
 * @param version the token format; only 1 exists
 * @param caDigest lowercase hex SHA-256 of the root CA certificate (64 characters)
 * @param secret 25 characters of [0-9a-z], about 129 bits
 */
public record JoinToken(int version, String caDigest, String secret) {
  public static final int VERSION = 1;
  static final String PREFIX = "ORCH-" + VERSION + "-";
  static final int DIGEST_LENGTH = 64;
  static final int SECRET_LENGTH = 25;
  private static final String SECRET_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
  private static final String FORMAT = "ORCH-1-<64 hex digits>-<25 characters>";

  public JoinToken {
    if (version != VERSION) {
      throw invalid("unsupported version " + version + "; this orchd reads only version " + VERSION);
    }
    checkDigest(caDigest);
    checkSecret(secret);
  }

  /**
   * Reads a token as {@code orchctl swarm join-token} prints it. Whitespace around it (a copied line
   * break) is dropped; inside, the format is strict, and the error says which part is wrong without
   * echoing the secret.
   */
  public static JoinToken parse(String text) {
    if (text == null || text.isBlank()) {
      throw invalid("the token is empty");
    }
    String token = text.strip();
    if (!token.startsWith(PREFIX)) {
      throw invalid(token.startsWith("ORCH-") ? "unsupported token version; this orchd reads only " + PREFIX + " tokens"
          : "it does not start with " + PREFIX);
    }
    String rest = token.substring(PREFIX.length());
    int dash = rest.indexOf('-');
    if (dash < 0) {
      throw invalid("there is no '-' between the CA digest and the secret");
    }
    return new JoinToken(VERSION, rest.substring(0, dash), rest.substring(dash + 1));
  }

  /** A fresh secret; pass a {@link java.security.SecureRandom} for any token a cluster accepts. */
  public static String newSecret(Random random) {
    StringBuilder secret = new StringBuilder(SECRET_LENGTH);
    for (int i = 0; i < SECRET_LENGTH; i++) {
      secret.append(SECRET_ALPHABET.charAt(random.nextInt(SECRET_ALPHABET.length())));
    }
    return secret.toString();
  }

  /** A version-1 token for the CA with digest {@code caDigest} and a fresh secret. */
  public static JoinToken create(String caDigest, Random random) {
    return new JoinToken(VERSION, caDigest, newSecret(random));
  }

  /**
   * Whether {@code other} is this token's secret, in time that does not depend on where they differ,
   * so a caller cannot guess the secret a character at a time by timing refusals.
   */
  public boolean secretMatches(String other) {
    return other != null && MessageDigest.isEqual(
        secret.getBytes(StandardCharsets.US_ASCII), other.getBytes(StandardCharsets.US_ASCII));
  }

  /** The token text, {@code ORCH-1-<digest>-<secret>}. */
  @Override
  public String toString() {
    return PREFIX + caDigest + "-" + secret;
  }

  private static void checkDigest(String digest) {
    if (digest == null || digest.length() != DIGEST_LENGTH) {
      throw invalid("the CA digest has " + (digest == null ? 0 : digest.length()) + " characters, not " + DIGEST_LENGTH);
    }
    for (int i = 0; i < digest.length(); i++) {
      char c = digest.charAt(i);
      if (c >= 'A' && c <= 'F') {
        throw invalid("the CA digest has uppercase hex digits; tokens use lowercase only");
      }
      if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
        throw invalid("the CA digest has a character that is not a hex digit at position " + (i + 1));
      }
    }
  }

  // Only lengths and positions: the secret itself must never reach an error message or a log.
  private static void checkSecret(String secret) {
    if (secret == null || secret.length() != SECRET_LENGTH) {
      throw invalid("the secret has " + (secret == null ? 0 : secret.length()) + " characters, not " + SECRET_LENGTH);
    }
    for (int i = 0; i < secret.length(); i++) {
      if (SECRET_ALPHABET.indexOf(secret.charAt(i)) < 0) {
        throw invalid("the secret may hold only 0-9 and a-z, but character " + (i + 1) + " is not one of them");
      }
    }
  }

  private static IllegalArgumentException invalid(String problem) {
    return new IllegalArgumentException("invalid join token: " + problem + "; expected " + FORMAT
        + "; copy it again from orchctl swarm join-token worker (or manager)");
  }
}
