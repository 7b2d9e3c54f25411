/**
 * Who may call what: the cluster CA service that issues node certificates against join tokens, and
 * the interceptor that authorizes every call by the role in the caller's certificate.
 */
package dev.orch.manager.security;
