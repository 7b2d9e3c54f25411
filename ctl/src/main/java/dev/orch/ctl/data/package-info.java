/**
 * {@code orchctl secret} and {@code orchctl config}: the two kinds share every command, written
 * once over {@link dev.orch.ctl.data.DataKindClient}.
 */
package dev.orch.ctl.data;
