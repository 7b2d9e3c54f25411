/**
 * Networking of orch: address management ({@link dev.orch.net.Ipam}, pure, used by the leader's
 * allocator), the node-side plumbing ({@link dev.orch.net.NodeNetworks}: bridges, VXLAN devices,
 * veth pairs, static FDB and neighbour entries, nftables for outbound NAT, isolation, service VIP
 * load balancing and the routing mesh) and the embedded DNS server's name table
 * ({@link dev.orch.net.DnsNames}). Addresses are IPv4.
 */
package dev.orch.net;
