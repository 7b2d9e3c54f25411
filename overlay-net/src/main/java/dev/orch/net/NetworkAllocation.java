package dev.orch.net;

/**
 * What a network got from {@link Ipam}.
 *
 * @param networkId the network's id
 * @param subnet its subnet
 * @param gateway its gateway address (dotted quad)
 * @param vni its VXLAN id, 0 for a node-local (bridge driver) network
 */
public record NetworkAllocation(String networkId, Cidr subnet, String gateway, int vni) {}
