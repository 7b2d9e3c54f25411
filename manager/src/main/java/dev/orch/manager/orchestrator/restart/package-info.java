/**
 * The restart supervisor: the leader-only controller that decides, by the service's restart
 * policy, whether and when a slot whose task has ended gets a new task.
 */
package dev.orch.manager.orchestrator.restart;
