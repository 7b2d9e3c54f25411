package dev.orch.agent.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.orch.proto.ImageSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry that stops sending in the middle of a blob (a paused or cut-off peer that never
 * resets the connection): the download fails after the stall limit instead of hanging, and a
 * slow but steady download is not cut off even when it lasts longer than the limit.
 */
class RegistryStallTest {
  private static final byte[] BLOB = new byte[256 * 1024];
  private static final String DIGEST = Sha256.digestOf(BLOB);

  @TempDir Path tmp;
  private HttpServer server;
  private final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v2/demo/blobs/" + DIGEST, ex -> {
      ex.sendResponseHeaders(200, BLOB.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(BLOB, 0, BLOB.length / 2);
        out.flush();
        release.await(); // the peer goes silent, the connection stays open
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        // the client gave up
      }
    });
    server.createContext("/v2/slow/blobs/" + DIGEST, ex -> {
      ex.sendResponseHeaders(200, BLOB.length);
      try (OutputStream out = ex.getResponseBody()) {
        int part = BLOB.length / 8;
        for (int off = 0; off < BLOB.length; off += part) {
          out.write(BLOB, off, part);
          out.flush();
          Thread.sleep(150); // steady progress, slower in all than the stall limit
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
  }

  private ImageSource source(String repo) {
    return ImageSource.newBuilder().setRegistry("127.0.0.1:" + server.getAddress().getPort())
        .setRepository(repo).setInsecure(true).build();
  }

  @Test
  void aBlobThatStopsArrivingFailsWithAStallError() throws IOException {
    RegistryClient client = new RegistryClient(Duration.ofSeconds(10), Duration.ofMillis(500));
    BlobStore blobs = new BlobStore(tmp.resolve("blobs"));
    RegistryException e = assertThrows(RegistryException.class, () -> {
      try (InputStream in = client.openBlob(source("demo"), DIGEST, null)) {
        blobs.put(in, DIGEST);
      }
    });
    assertEquals(RegistryException.Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().contains("blob " + DIGEST) && e.getMessage().contains("stalled: no data for"),
        e.getMessage());
    assertFalse(blobs.has(DIGEST), "nothing of a stalled download is stored");
  }

  @Test
  void aSlowButSteadyBlobIsNotCutOff() throws IOException {
    RegistryClient client = new RegistryClient(Duration.ofSeconds(10), Duration.ofMillis(500));
    BlobStore blobs = new BlobStore(tmp.resolve("blobs"));
    try (InputStream in = client.openBlob(source("slow"), DIGEST, null)) {
      blobs.put(in, DIGEST);
    }
    assertTrue(blobs.has(DIGEST));
  }
}
