/**
 * {@code orchctl swarm ...}: the cluster as a whole: join tokens (join-token), its settings and
 * root CA certificate (inspect) and changing settings (update).
 */
package dev.orch.ctl.swarm;
