/** {@code orchctl network}: create, list, inspect and remove cluster networks. */
package dev.orch.ctl.network;
