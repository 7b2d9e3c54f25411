/**
 * How orchctl prints: docker-style aligned tables, human durations ("3 seconds ago") and sizes
 * ("4.26MB"), state names, and the JSON form ({@code --format json}, {@code inspect}) which is the
 * protobuf JSON mapping of the Control API messages, so scripts see the same fields as the API.
 */
package dev.orch.ctl.output;
