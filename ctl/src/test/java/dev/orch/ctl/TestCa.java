package dev.orch.ctl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A cluster root CA for tests, issuing certificates the way the manager's CA does: EC P-256 keys,
 * subject CN node id, OU role, O cluster id; manager certificates carry the DNS name orch-manager.
 * Bundles are written as the admin bundle is: ca.pem, cert.pem, key.pem (PKCS#8).
 */
public final class TestCa {
    public static final String MANAGER_ROLE = "orch-manager";
    public static final String ADMIN_ROLE = "orch-admin";
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private static TestCa shared;
    private static Path sharedDir;

    private final String clusterId;
    private final KeyPair keys;
    private final X509Certificate certificate;

    public TestCa(String clusterId) {
        this.clusterId = clusterId;
        this.keys = newKeys();
        X500Name name = new X500Name("CN=orch-root-ca, O=" + clusterId);
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            certificate = sign(builder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One CA and its manager and admin bundles for the whole test run. */
    public static synchronized TestCa shared() {
        if (shared == null) {
            try {
                sharedDir = Files.createTempDirectory("orchctl-test-pki");
                Path dir = sharedDir;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            shared = new TestCa("cluster-1");
            shared.writeBundle(sharedDir.resolve("manager"), "manager-node", MANAGER_ROLE);
            shared.writeBundle(sharedDir.resolve("admin"), "admin", ADMIN_ROLE);
        }
        return shared;
    }

    /** The shared CA's manager bundle: the fake manager's server certificate. */
    public static Path managerBundle() {
        shared();
        return sharedDir.resolve("manager");
    }

    /** The shared CA's admin bundle: what orchd init copies to ~/.orch. */
    public static Path adminBundle() {
        shared();
        return sharedDir.resolve("admin");
    }

    /** Writes ca.pem, cert.pem and key.pem of a new certificate, valid from an hour ago for a day. */
    public Path writeBundle(Path dir, String nodeId, String role) {
        Instant now = Instant.now();
        return writeBundle(dir, nodeId, role, now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(1)));
    }

    public Path writeBundle(Path dir, String nodeId, String role, Instant notBefore,
            Instant notAfter) {
        KeyPair leafKeys = newKeys();
        X500Name subject = new X500Name("CN=" + nodeId + ", OU=" + role + ", O=" + clusterId);
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate,
                    serial(), Date.from(notBefore), Date.from(notAfter), subject,
                    leafKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth,
                                KeyPurposeId.id_kp_clientAuth}));
            if (role.equals(MANAGER_ROLE)) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.dNSName, MANAGER_ROLE)));
            }
            X509Certificate leaf = sign(builder);
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("ca.pem"), pem("CERTIFICATE", certificate.getEncoded()));
            Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", leaf.getEncoded()));
            Files.writeString(dir.resolve("key.pem"),
                    pem("PRIVATE KEY", leafKeys.getPrivate().getEncoded()));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }

    private X509Certificate sign(X509v3CertificateBuilder builder) {
        try {
            return new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a test certificate", e);
        }
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static KeyPair newKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(String label, byte[] der) {
        Base64.Encoder base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        return "-----BEGIN " + label + "-----\n" + base64.encodeToString(der) + "\n-----END "
                + label + "-----\n";
    }
}
