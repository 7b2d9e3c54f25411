package dev.orch.manager.security;

import dev.orch.agent.ManagerDirectory;
import dev.orch.agent.tls.TlsContexts;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mutual-TLS channels from a node to the cluster's managers. It follows the leader hint a follower
 * gives, skips managers that fail, and remembers the managers it learned in {@code DATA/managers}
 * so that a restarted node finds the cluster even if the manager it joined through is gone.
 * Replacing the credentials (after a certificate renewal) rebuilds the channels.
 */
public final class ManagerChannels implements ManagerDirectory, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ManagerChannels.class);
  private static final Pattern LEADER_HINT = Pattern.compile("leader=([^\\s;,]+)");

  private final Path managersFile;
  private final Map<String, ManagedChannel> channels = new HashMap<>();
  private final List<String> known = new ArrayList<>();
  private CertificateFiles.Credentials credentials;
  private String current;
  private volatile java.util.function.Consumer<dev.orch.proto.NodeRole> roleListener = r -> { };

  /** Who hears the role the cluster assigns this node at each session. */
  public void onRoleAssigned(java.util.function.Consumer<dev.orch.proto.NodeRole> listener) {
    this.roleListener = listener;
  }

  @Override
  public void roleAssigned(dev.orch.proto.NodeRole role) {
    roleListener.accept(role);
  }

  /**
   * @param initial the manager to start with (the one joined through, or this node's own)
   * @param managersFile where learned manager addresses are kept, or null to keep none
   */
  public ManagerChannels(String initial, CertificateFiles.Credentials credentials, Path managersFile) {
    this.credentials = credentials;
    this.managersFile = managersFile;
    this.current = initial;
    known.add(initial);
    if (managersFile != null && Files.exists(managersFile)) {
      try {
        for (String line : Files.readAllLines(managersFile)) {
          if (!line.isBlank() && !known.contains(line.strip())) {
            known.add(line.strip());
          }
        }
      } catch (IOException e) {
        LOG.warn("cannot read {}: {}", managersFile, e.toString());
      }
    }
  }

  private ManagedChannel build(String target) {
    return NettyChannelBuilder.forTarget(target)
        .sslContext(credentials.client())
        .overrideAuthority(TlsContexts.MANAGER_AUTHORITY)
        .build();
  }

  @Override
  public synchronized Channel current() {
    return channels.computeIfAbsent(current, this::build);
  }

  @Override
  public synchronized String currentAddress() {
    return current;
  }

  @Override
  public synchronized boolean sessionFailed(Throwable cause) {
    String hint = leaderHint(cause);
    if (hint != null && !hint.equals(current)) {
      LOG.info("following the leader hint: {} -> {}", current, hint);
      current = hint;
      if (!known.contains(hint)) {
        known.add(hint);
      }
      return true;
    }
    if (known.size() > 1) {
      current = known.get((known.indexOf(current) + 1) % known.size());
    }
    return false;
  }

  @Override
  public synchronized void managersLearned(List<String> addresses) {
    LinkedHashSet<String> merged = new LinkedHashSet<>(addresses);
    merged.addAll(known);
    merged.removeIf(String::isBlank);
    known.clear();
    known.addAll(merged);
    if (managersFile != null) {
      try {
        Path tmp = managersFile.resolveSibling(managersFile.getFileName() + ".tmp");
        Files.write(tmp, addresses);
        Files.move(tmp, managersFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        LOG.warn("cannot record the managers in {}: {}", managersFile, e.toString());
      }
    }
  }

  /** The leader named in a follower's refusal ("... leader=HOST:PORT"), if any. */
  static String leaderHint(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      Status s = Status.fromThrowable(t);
      if (s.getDescription() != null) {
        Matcher m = LEADER_HINT.matcher(s.getDescription());
        if (m.find()) {
          return m.group(1);
        }
      }
    }
    return null;
  }

  /** Rebuilds every channel with new credentials; calls in flight finish on the old ones. */
  public synchronized void replace(CertificateFiles.Credentials fresh) {
    this.credentials = fresh;
    channels.values().forEach(ManagedChannel::shutdown);
    channels.clear();
  }

  @Override
  public synchronized void close() throws InterruptedException {
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    channels.clear();
  }
}
