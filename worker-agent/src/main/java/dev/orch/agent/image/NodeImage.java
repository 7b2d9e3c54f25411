package dev.orch.agent.image;

import java.util.List;
import java.util.Set;

/**
 * An image on this node, as {@code image ls --node} shows it.
 *
 * @param digest the manifest digest
 * @param references the names it was pulled or imported as
 * @param sizeBytes its layers on disk (blobs and unpacked dirs; a layer shared with other images
 *     counts in each of them)
 * @param usedBy the tasks on this node that use it (running, about to start, or kept as recent history)
 * @param lastUsedMs when a task last started or released it, or it was pulled
 */
public record NodeImage(String digest, List<String> references, long sizeBytes, Set<String> usedBy, long lastUsedMs) {}
