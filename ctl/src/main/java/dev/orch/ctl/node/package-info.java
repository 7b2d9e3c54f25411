/** {@code orchctl node ...}: the cluster's nodes as the managers see them. */
package dev.orch.ctl.node;
