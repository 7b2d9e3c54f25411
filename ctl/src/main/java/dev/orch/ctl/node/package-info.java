/**
 * {@code orchctl node ...}: the cluster's nodes as the managers see them (ls, inspect), and what
 * an operator changes about them (update: availability and labels; rm).
 */
package dev.orch.ctl.node;
