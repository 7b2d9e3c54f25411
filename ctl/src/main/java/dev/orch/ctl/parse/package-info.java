/**
 * Client-side validation of command-line values (memory sizes, CPU counts, replica counts,
 * environment variables, scale arguments, durations, log times, node availability and labels). Each parser
 * rejects a bad value with a {@link dev.orch.ctl.UsageException} that quotes the value and shows
 * a valid example, so mistakes are caught before anything is sent to the manager.
 */
package dev.orch.ctl.parse;
