/**
 * Registry credentials on the client: {@code orchctl registry login/logout}, and the lookup that
 * {@code --with-registry-auth} uses (orchctl's own file, then docker's config.json).
 */
package dev.orch.ctl.registry;
