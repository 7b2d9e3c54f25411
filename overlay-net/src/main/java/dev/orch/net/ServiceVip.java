package dev.orch.net;

import java.util.List;

/**
 * A service's virtual IP on one network and the addresses of its tasks on that network.
 * Connections (TCP and UDP, any port) from containers of the network to the VIP are spread over the
 * backends by the kernel; a VIP without backends rejects connections.
 *
 * @param serviceId the service
 * @param networkId the network the VIP belongs to
 * @param vip the virtual IP
 * @param backends the addresses of the running (healthy) tasks on the network
 */
public record ServiceVip(String serviceId, String networkId, String vip, List<String> backends) {

  public ServiceVip {
    backends = List.copyOf(backends);
    Ipv4.parse(vip);
    backends.forEach(Ipv4::parse);
  }
}
