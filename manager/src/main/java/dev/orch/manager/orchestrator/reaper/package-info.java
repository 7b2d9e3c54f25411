/** The task reaper: keeps the last K finished tasks of each slot (the cluster's task history limit). */
package dev.orch.manager.orchestrator.reaper;
