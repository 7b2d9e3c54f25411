package dev.orch.agent.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Digests in the OCI form {@code sha256:<64 lowercase hex>}, the only algorithm orch accepts. */
final class Sha256 {

  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
  static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  private Sha256() {}

  /** The hex part of a valid digest; refuses anything else (it becomes a file name). */
  static String hex(String digest) throws ImageException {
    if (digest == null || !DIGEST.matcher(digest).matches()) {
      throw new ImageException("invalid digest '" + digest + "': want sha256:<64 hex digits>");
    }
    return digest.substring(7);
  }

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  static String digestOf(MessageDigest md) {
    return "sha256:" + HexFormat.of().formatHex(md.digest());
  }

  static String digestOf(byte[] content) {
    MessageDigest md = newDigest();
    md.update(content);
    return digestOf(md);
  }
}
