/** The Control API: what orchctl calls. Validates requests at the edge and writes through the store. */
package dev.orch.manager.control;
