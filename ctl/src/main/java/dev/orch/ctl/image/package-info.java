/**
 * {@code orchctl image ...}: importing image archives into the cluster's image store and listing
 * what it holds. Archives are streamed in chunks with gRPC flow control, so their size is not
 * limited by memory.
 */
package dev.orch.ctl.image;
