/**
 * Finding the manager and talking to it: where the address comes from ({@link
 * dev.orch.ctl.connect.ManagerAddress}) and the client certificate ({@link
 * dev.orch.ctl.connect.ClientTls}), the one class that creates gRPC channels, all mutual TLS
 * ({@link dev.orch.ctl.connect.ManagerConnection}), and turning gRPC and TLS failures into
 * messages a user can act on ({@link dev.orch.ctl.connect.RpcFailures}).
 */
package dev.orch.ctl.connect;
