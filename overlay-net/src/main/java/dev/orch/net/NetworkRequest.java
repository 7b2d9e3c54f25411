package dev.orch.net;

/**
 * What a network asks {@link Ipam} for.
 *
 * @param subnet the subnet the user chose ({@code null}: the next free one of the pool)
 * @param gateway the gateway the user chose ({@code null}: the first host address of the subnet)
 * @param overlay whether the network spans nodes and so needs a VXLAN id
 */
public record NetworkRequest(String subnet, String gateway, boolean overlay) {

  public static NetworkRequest nextOverlay() {
    return new NetworkRequest(null, null, true);
  }
}
