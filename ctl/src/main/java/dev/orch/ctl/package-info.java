/**
 * {@code orchctl}: the command-line client of orch. It talks only to the manager's Control API.
 *
 * <p>This package owns the root command, the shared {@link dev.orch.ctl.CtlContext} handed to
 * every command, and the single place where failures become one {@code error:} line and an exit
 * code ({@link dev.orch.ctl.ExitCodes}). Commands live in per-resource subpackages.
 */
package dev.orch.ctl;
