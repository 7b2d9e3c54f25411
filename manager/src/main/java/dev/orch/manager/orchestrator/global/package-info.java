/**
 * The global orchestrator: one task per eligible node for global services and global jobs,
 * following joins, drains, availability and label changes.
 */
package dev.orch.manager.orchestrator.global;
