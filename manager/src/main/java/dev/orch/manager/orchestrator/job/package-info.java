/**
 * The replicated-job orchestrator: runs a service's tasks to a total number of completions,
 * at most max-concurrent at a time.
 */
package dev.orch.manager.orchestrator.job;
