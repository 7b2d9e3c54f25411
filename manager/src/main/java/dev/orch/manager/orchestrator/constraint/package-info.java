/** The constraint enforcer: moves tasks off nodes that no longer match their service's constraints. */
package dev.orch.manager.orchestrator.constraint;
