/**
 * Finding the manager and talking to it: where the address comes from ({@link
 * dev.orch.ctl.connect.ManagerAddress}), the one class that creates gRPC channels ({@link
 * dev.orch.ctl.connect.ManagerConnection}, where mutual TLS will be added), and turning gRPC
 * failures into messages a user can act on ({@link dev.orch.ctl.connect.RpcFailures}).
 */
package dev.orch.ctl.connect;
