/**
 * The cluster's root certificate authority and its join tokens. {@code orchd init} creates the CA;
 * managers sign node certificates with it, writing the node id, role and cluster id themselves so
 * that a certificate says only what the CA decided. A join token pins the CA by digest, so a joining
 * node can trust the CA it fetches, and carries the secret that admits it as a worker or manager.
 */
package dev.orch.manager.ca;
