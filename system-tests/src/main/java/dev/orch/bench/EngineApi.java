package dev.orch.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Docker's Engine API on a dockerd's unix socket, read-only: one HTTP/1.0 GET per call. */
final class EngineApi {
  private final Path socket;

  EngineApi(Path socket) {
    this.socket = socket;
  }

  /** The body of a 200 answer, null for a 404; anything else is an {@link IOException}. */
  String get(String path) throws IOException {
    try (SocketChannel s = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      s.connect(UnixDomainSocketAddress.of(socket));
      s.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.0\r\nHost: docker\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII)));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      while (s.read(buf) >= 0) {
        bytes.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      return body(path, bytes.toString(StandardCharsets.UTF_8));
    }
  }

  /** The body of a whole HTTP/1.x answer to {@code path}: as {@link #get}. */
  static String body(String path, String resp) throws IOException {
    int body = resp.indexOf("\r\n\r\n");
    if (resp.startsWith("HTTP/1.") && resp.length() > 12 && resp.substring(9, 12).equals("404")) {
      return null;
    }
    if (!resp.startsWith("HTTP/1.") || body < 0 || !resp.substring(9, 12).equals("200")) {
      throw new IOException("docker API GET " + path + ": " + resp.lines().findFirst().orElse("no answer"));
    }
    return resp.substring(body + 4);
  }
}
