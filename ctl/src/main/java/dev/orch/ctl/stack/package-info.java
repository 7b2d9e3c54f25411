/** {@code orchctl stack}: deploy compose files as one atomic change, and list, inspect and remove stacks. */
package dev.orch.ctl.stack;
