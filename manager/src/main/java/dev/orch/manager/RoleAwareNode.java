package dev.orch.manager;

import dev.orch.proto.NodeRole;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node orchd runs, in the role the cluster wants: when a worker is promoted or a manager
 * demoted, it stops the node (containers keep running), carries out the transition and starts it
 * again in the new role; the agent re-attaches to its containers.
 */
final class RoleAwareNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RoleAwareNode.class);

  private final DaemonOptions options;
  private NodeIdentity identity;
  private AutoCloseable node;
  private CompletableFuture<NodeRole> roleChange;
  private boolean closed;

  RoleAwareNode(NodeIdentity identity, DaemonOptions options) throws IOException {
    this.identity = identity;
    this.options = options;
    start();
  }

  private void start() throws IOException {
    if (identity.manager()) {
      ManagerNode m = ManagerNode.start(identity, options);
      node = m;
      roleChange = m.roleChange();
    } else {
      WorkerNode w = WorkerNode.start(identity, options);
      node = w;
      roleChange = w.roleChange();
    }
  }

  /** Blocks, carrying out role changes, until closed. */
  void runRoleChanges() throws InterruptedException {
    while (true) {
      NodeRole wanted;
      try {
        wanted = roleChange.get();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
        return;
      }
      synchronized (this) {
        if (closed) {
          return;
        }
        LOG.info("the cluster wants this node as {}: restarting in that role", wanted);
        try {
          node.close();
          identity = RoleTransition.apply(identity, wanted, options.dataDir());
          start();
          System.out.println("orchd: node " + identity.nodeId() + " now runs as "
              + (identity.manager() ? "a manager" : "a worker"));
        } catch (Exception e) {
          LOG.error("changing role failed; restart orchd to retry: {}", e.toString(), e);
          return;
        }
      }
    }
  }

  @Override
  public synchronized void close() throws Exception {
    closed = true;
    if (roleChange != null) {
      roleChange.cancel(false);
    }
    node.close();
  }
}
