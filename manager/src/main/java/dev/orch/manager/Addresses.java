package dev.orch.manager;

import java.net.InetSocketAddress;

/** Parses {@code HOST[:PORT]} options with errors that name the option. */
final class Addresses {
  private Addresses() {}

  static InetSocketAddress parse(String value, String option, int defaultPort) {
    String host = value;
    int port = defaultPort;
    int colon = value.lastIndexOf(':');
    if (colon >= 0 && value.indexOf(':') == colon) {
      host = value.substring(0, colon);
      try {
        port = Integer.parseInt(value.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        throw new OrchDaemon.UsageError("invalid " + option + " \"" + value + "\": the port must be 1-65535");
      }
    }
    if (host.isEmpty()) {
      throw new OrchDaemon.UsageError("invalid " + option + " \"" + value + "\": give an IP address, e.g. 10.0.0.5:"
          + defaultPort);
    }
    return new InetSocketAddress(host, port);
  }
}
