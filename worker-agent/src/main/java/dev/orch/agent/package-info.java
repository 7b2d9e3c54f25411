/**
 * The worker agent: holds a session with the leader's dispatcher, receives task assignments, runs
 * one {@link dev.orch.agent.TaskController} per task and reports task status in batches.
 */
package dev.orch.agent;
