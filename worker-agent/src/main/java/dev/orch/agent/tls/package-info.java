/**
 * The node side of the cluster's mutual TLS: node key pairs and certificate signing requests, PEM
 * files, what a node certificate says about its holder ({@link dev.orch.agent.tls.CertificateInfo},
 * {@link dev.orch.agent.tls.Roles}), the root CA digest that join tokens pin, and the gRPC TLS
 * contexts every manager, worker and orchctl connection is built from.
 *
 * <p>It lives in worker-agent because every node, manager or worker, holds a certificate; the root
 * CA that signs them is the manager's ({@code dev.orch.manager.ca}).
 */
package dev.orch.agent.tls;
