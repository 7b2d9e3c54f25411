package dev.orch.manager.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.orch.agent.tls.NodeKeys;
import dev.orch.manager.ca.RootCa;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Certificate signing requests arrive from nodes that are joining, before they are trusted. The CA
 * must answer any bytes, as PEM text or as a PEM-wrapped DER body, with a certificate or an
 * IllegalArgumentException naming the problem; never another exception.
 */
class CsrFuzzTest {
  private static final RootCa CA = RootCa.create("fuzzcluster", Clock.systemUTC());
  /** A real request's DER body: mutating it reaches the checks behind the ASN.1 parser. */
  private static final byte[] VALID = der(NodeKeys.csr(NodeKeys.generate()));

  @FuzzTest(maxDuration = "15s")
  void issue(FuzzedDataProvider data) {
    String pem;
    switch (data.consumeInt(0, 2)) {
      case 0 -> pem = data.consumeRemainingAsString();
      case 1 -> pem = wrap(data.consumeRemainingAsBytes());
      default -> {
        byte[] body = VALID.clone();
        for (int i = data.consumeInt(1, 8); i > 0; i--) {
          body[data.consumeInt(0, body.length - 1)] = data.consumeByte();
        }
        pem = wrap(java.util.Arrays.copyOf(body, data.consumeInt(1, body.length)));
      }
    }
    try {
      CA.issue(pem, "node1", "orch-worker", Duration.ofHours(1), List.of());
    } catch (IllegalArgumentException refused) {
      assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank(), "a refusal must say why");
    }
  }

  private static String wrap(byte[] der) {
    return "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(der)
        + "\n-----END CERTIFICATE REQUEST-----\n";
  }

  private static byte[] der(String pem) {
    return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").strip());
  }
}
