/** Prometheus metrics of orchd, served over HTTP. */
package dev.orch.manager.metrics;
