package dev.orch.ctl.connect;

import dev.orch.ctl.CommandFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Map;

/**
 * Where orchctl's client certificate is: {@code --tls-dir}, else ORCH_TLS_DIR, else the config
 * directory that holds the host file ({@code $ORCH_CONFIG_DIR}, default {@code ~/.orch}). The
 * directory holds the admin bundle that {@code orchd init} writes there (the manager also keeps it
 * in {@code DATA/admin/}): {@code ca.pem}, the cluster's root CA, which is the only CA trusted for
 * the manager's certificate; {@code cert.pem} and {@code key.pem}, the client certificate (PKCS#8
 * PEM key) that the manager requires on every Control API call.
 */
public record ClientTls(Path dir) {
    public static final String CA_FILE = "ca.pem";
    public static final String CERT_FILE = "cert.pem";
    public static final String KEY_FILE = "key.pem";

    /** Resolves the directory in precedence order; whether its files exist is checked later. */
    public static ClientTls discover(String tlsDirOption, Map<String, String> env) {
        if (tlsDirOption != null && !tlsDirOption.isBlank()) {
            return new ClientTls(Path.of(tlsDirOption));
        }
        String fromEnv = env.get("ORCH_TLS_DIR");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new ClientTls(Path.of(fromEnv));
        }
        return new ClientTls(ManagerAddress.configDir(env));
    }

    public Path ca() {
        return dir.resolve(CA_FILE);
    }

    public Path cert() {
        return dir.resolve(CERT_FILE);
    }

    public Path key() {
        return dir.resolve(KEY_FILE);
    }

    /**
     * Fails with the one line that says how to get the bundle unless all three files are there
     * and hold what they should. Not a usage error: the command line is right, this machine lacks
     * the files. Checked here rather than left to the TLS library, whose messages name neither the
     * file nor the fix.
     */
    public ClientTls requireFiles() {
        for (Path file : new Path[] {ca(), cert(), key()}) {
            if (!Files.isRegularFile(file)) {
                throw missing();
            }
        }
        requireCertificate(ca());
        requireCertificate(cert());
        requirePkcs8Key(key());
        return this;
    }

    private void requireCertificate(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                throw unusable(file.getFileName() + " holds no PEM certificate");
            }
        } catch (IOException e) {
            throw unreadable(file, e);
        } catch (CertificateException e) {
            throw unusable(file.getFileName() + " is not a PEM certificate");
        }
    }

    private void requirePkcs8Key(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        if (text.contains("-----BEGIN PRIVATE KEY-----")) {
            return;
        }
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw unusable(KEY_FILE + " is encrypted; orchctl needs the unencrypted key");
        }
        if (text.matches("(?s).*-----BEGIN [A-Z]+ PRIVATE KEY-----.*")) {
            throw unusable(KEY_FILE + " is not in PKCS#8 form (BEGIN PRIVATE KEY); convert it "
                    + "with openssl pkcs8 -topk8 -nocrypt");
        }
        throw unusable(KEY_FILE + " is not a PEM private key");
    }

    private CommandFailedException unreadable(Path file, IOException e) {
        return new CommandFailedException("cannot read " + file + " (" + e.getClass().getSimpleName()
                + ": " + e.getMessage() + "); " + fix(), e);
    }

    /** The bundle is there but cannot be used; {@code what} says which file and why. */
    CommandFailedException unusable(String what) {
        return new CommandFailedException("the client certificate in " + dir + " is unusable: "
                + what + "; " + fix());
    }

    CommandFailedException missing() {
        return new CommandFailedException("no client certificate in " + dir + " (" + CA_FILE + ", "
                + CERT_FILE + ", " + KEY_FILE + "): copy the admin bundle from the manager's "
                + "DATA/admin/ there, or pass --tls-dir");
    }

    /** The fix named at the end of every certificate error. */
    String fix() {
        return "copy the admin bundle from the manager's DATA/admin/ to " + dir
                + ", or pass --tls-dir";
    }
}
