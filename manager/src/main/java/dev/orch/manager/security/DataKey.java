package dev.orch.manager.security;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cluster's data-encryption key: 256-bit AES, made when the cluster is initialised, kept in a
 * 0600 file of each manager's data dir and handed to a joining manager over its mutual-TLS join.
 * Secret payloads are sealed with it (AES-GCM, the object's id as associated data) before they
 * enter a store command, so the Raft log, snapshots and backups hold only ciphertext.
 */
public final class DataKey {
  /** Relative to the data dir. */
  public static final String FILE = "manager/data.key";
  private static final byte[] MAGIC = "orch-sealed-1:".getBytes(StandardCharsets.US_ASCII);
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final byte[] raw;
  private final SecureRandom random = new SecureRandom();

  private DataKey(byte[] raw) {
    if (raw.length != 32) {
      throw new IllegalArgumentException("a data key has 32 bytes, not " + raw.length);
    }
    this.raw = raw.clone();
  }

  public static DataKey generate() {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    return new DataKey(raw);
  }

  public static DataKey of(byte[] raw) {
    return new DataKey(raw);
  }

  public static Optional<DataKey> load(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    return Files.exists(file) ? Optional.of(read(file)) : Optional.empty();
  }

  public static DataKey read(Path file) throws IOException {
    try {
      return new DataKey(Files.readAllBytes(file));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " is not a data key: " + e.getMessage(), e);
    }
  }

  /** Writes the key to the data dir, readable by its owner only. */
  public void save(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(tmp, raw);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  public byte[] encoded() {
    return raw.clone();
  }

  /** Whether {@code data} is sealed (by some data key). */
  public static boolean sealed(ByteString data) {
    return data.size() > MAGIC.length + NONCE_BYTES && data.startsWith(ByteString.copyFrom(MAGIC));
  }

  public ByteString seal(ByteString plain, String associated) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] sealed = crypt(Cipher.ENCRYPT_MODE, nonce, plain.toByteArray(), associated);
    return ByteString.copyFrom(MAGIC).concat(ByteString.copyFrom(nonce)).concat(ByteString.copyFrom(sealed));
  }

  /** The plaintext; refused when the data is not sealed with this key for this object. */
  public ByteString open(ByteString sealed, String associated) {
    if (!sealed(sealed)) {
      throw new IllegalStateException("the data of " + associated + " is not sealed");
    }
    byte[] all = sealed.toByteArray();
    byte[] nonce = Arrays.copyOfRange(all, MAGIC.length, MAGIC.length + NONCE_BYTES);
    byte[] body = Arrays.copyOfRange(all, MAGIC.length + NONCE_BYTES, all.length);
    return ByteString.copyFrom(crypt(Cipher.DECRYPT_MODE, nonce, body, associated));
  }

  private byte[] crypt(int mode, byte[] nonce, byte[] input, String associated) {
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(mode, new SecretKeySpec(raw, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(associated.getBytes(StandardCharsets.UTF_8));
      return c.doFinal(input);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new IllegalStateException("the data of " + associated + " was sealed with another data key (a restore"
          + " without the cluster's data key?): it cannot be read", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed: " + e.getMessage(), e);
    }
  }
}
