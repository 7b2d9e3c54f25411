package dev.orch.manager.dispatcher;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Open worker sessions and their last heartbeat times, in memory on the leader. */
public final class NodeSessions {
  private record Session(String id, long lastHeartbeatMs) {}

  private final Map<String, Session> byNode = new ConcurrentHashMap<>();
  private final java.util.function.LongSupplier heartbeatPeriodMs;

  /** @param heartbeatPeriodMs the current period, asked at each use so that a cluster update applies at once */
  public NodeSessions(java.util.function.LongSupplier heartbeatPeriodMs) {
    this.heartbeatPeriodMs = heartbeatPeriodMs;
  }

  public long heartbeatPeriodMs() {
    return heartbeatPeriodMs.getAsLong();
  }

  void open(String nodeId, String sessionId, long nowMs) {
    byNode.put(nodeId, new Session(sessionId, nowMs));
  }

  boolean valid(String nodeId, String sessionId) {
    Session s = byNode.get(nodeId);
    return s != null && s.id().equals(sessionId);
  }

  boolean heartbeat(String nodeId, String sessionId, long nowMs) {
    return byNode.computeIfPresent(nodeId, (k, s) ->
        s.id().equals(sessionId) ? new Session(s.id(), nowMs) : s) != null
        && valid(nodeId, sessionId);
  }

  void closeIf(String nodeId, String sessionId) {
    byNode.computeIfPresent(nodeId, (k, s) -> s.id().equals(sessionId) ? null : s);
  }

  /** Removes and returns the nodes whose last heartbeat is older than {@code deadlineMs}. */
  List<String> expire(long deadlineMs) {
    List<String> expired = byNode.entrySet().stream()
        .filter(e -> e.getValue().lastHeartbeatMs() < deadlineMs)
        .map(Map.Entry::getKey)
        .toList();
    expired.forEach(byNode::remove);
    return expired;
  }

  boolean has(String nodeId) {
    return byNode.containsKey(nodeId);
  }

  int size() {
    return byNode.size();
  }
}
