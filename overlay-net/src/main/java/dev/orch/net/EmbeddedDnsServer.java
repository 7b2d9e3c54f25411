package dev.orch.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The DNS server containers use (UDP). It listens on addresses the node gives it (each network's
 * gateway; never 0.0.0.0), answers A queries for names in the asker's networks from {@link DnsNames}
 * (TTL 0: tasks come and go) and forwards every other query to the node's resolvers, relaying the
 * answer under the asker's query id. Everything runs on one Netty event loop thread, so the pending
 * table needs no locks; answers from the table never leave that thread.
 */
public final class EmbeddedDnsServer implements AutoCloseable {
  private static final long FORWARD_TIMEOUT_MS = 2000;

  private final DnsNames names;
  private final List<InetSocketAddress> upstreams;
  private final EventLoopGroup group = new NioEventLoopGroup(1);
  private final Map<InetSocketAddress, Channel> listeners = new HashMap<>();
  private final Map<Integer, Pending> pending = new HashMap<>();
  private final Random ids;
  private final Channel upstream;

  private record Pending(Channel listener, DatagramDnsQuery query, ScheduledFuture<?> timeout) {}

  /**
   * @param upstreams resolvers unknown names go to, in order of preference (the first is used)
   * @param ids the source of upstream query ids (inject a seeded one in tests)
   */
  public EmbeddedDnsServer(DnsNames names, List<InetSocketAddress> upstreams, Random ids) throws NetworkException {
    this.names = names;
    this.upstreams = List.copyOf(upstreams);
    this.ids = ids;
    try {
      this.upstream = new Bootstrap().group(group).channel(NioDatagramChannel.class)
          .handler(new ChannelInitializer<DatagramChannel>() {
            @Override
            protected void initChannel(DatagramChannel ch) {
              ch.pipeline().addLast(new DatagramDnsQueryEncoder(), new DatagramDnsResponseDecoder(), new UpstreamHandler());
            }
          }).bind(0).sync().channel();
    } catch (Exception e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new NetworkException("cannot open the DNS forwarding socket: " + e.getMessage(), e);
    }
  }

  /** The nameservers of a resolv.conf file (the node's resolvers), port 53. */
  public static List<InetSocketAddress> nameservers(Path resolvConf) throws IOException {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String line : Files.readAllLines(resolvConf)) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 2 && f[0].equals("nameserver") && f[1].matches("[0-9.]+")) {
        out.add(new InetSocketAddress(InetAddress.getByName(f[1]), 53));
      }
    }
    return out;
  }

  /** Starts answering on {@code address:port} (port 0 picks one); returns the bound address. */
  public synchronized InetSocketAddress listen(String address, int port) throws NetworkException {
    InetSocketAddress want = new InetSocketAddress(address, port);
    Channel existing = listeners.get(want);
    if (existing != null) {
      return (InetSocketAddress) existing.localAddress();
    }
    try {
      Channel ch = new Bootstrap().group(group).channel(NioDatagramChannel.class)
          .handler(new ChannelInitializer<DatagramChannel>() {
            @Override
            protected void initChannel(DatagramChannel c) {
              c.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new QueryHandler());
            }
          }).bind(want).sync().channel();
      InetSocketAddress bound = (InetSocketAddress) ch.localAddress();
      listeners.put(port == 0 ? bound : want, ch);
      return bound;
    } catch (Exception e) {
      throw new NetworkException("cannot listen for DNS on " + address + ":" + port + ": " + e.getMessage()
          + " (the address must be on one of this node's interfaces)", e);
    }
  }

  /** Stops answering on an address {@link #listen} returned. */
  public synchronized void unlisten(InetSocketAddress address) {
    Channel ch = listeners.remove(address);
    if (ch != null) {
      ch.close().syncUninterruptibly();
    }
  }

  @Override
  public synchronized void close() {
    listeners.values().forEach(Channel::close);
    listeners.clear();
    upstream.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class QueryHandler extends SimpleChannelInboundHandler<DatagramDnsQuery> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
      DnsQuestion q = query.recordAt(DnsSection.QUESTION);
      if (q == null || query.opCode() != DnsOpCode.QUERY) {
        reply(ctx.channel(), query, DnsResponseCode.FORMERR, List.of());
        return;
      }
      List<Inet4Address> hits = names.lookup(query.sender().getAddress(), q.name());
      if (!hits.isEmpty()) {
        // a known name: A records, and an empty answer to other types so nobody asks upstream
        reply(ctx.channel(), query, DnsResponseCode.NOERROR, q.type() == DnsRecordType.A ? hits : List.of());
      } else {
        forward(ctx.channel(), query);
      }
    }
  }

  private void reply(Channel ch, DatagramDnsQuery query, DnsResponseCode code, List<Inet4Address> answers) {
    DatagramDnsResponse r = new DatagramDnsResponse(query.recipient(), query.sender(), query.id(), DnsOpCode.QUERY, code);
    r.setRecursionDesired(query.isRecursionDesired()).setRecursionAvailable(true);
    DnsQuestion q = query.recordAt(DnsSection.QUESTION);
    if (q != null) {
      r.setAuthoritativeAnswer(!answers.isEmpty());
      r.addRecord(DnsSection.QUESTION, q);
      for (Inet4Address a : answers) {
        r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(q.name(), DnsRecordType.A, 0,
            Unpooled.wrappedBuffer(a.getAddress())));
      }
    }
    ch.writeAndFlush(r);
  }

  private void forward(Channel listener, DatagramDnsQuery query) {
    if (upstreams.isEmpty() || pending.size() >= 60000) {
      reply(listener, query, DnsResponseCode.SERVFAIL, List.of());
      return;
    }
    int id;
    do {
      id = ids.nextInt(65536);
    } while (pending.containsKey(id));
    InetSocketAddress to = upstreams.get(0);
    DatagramDnsQuery out = new DatagramDnsQuery(null, to, id);
    out.setRecursionDesired(query.isRecursionDesired());
    copy(query, out, DnsSection.QUESTION);
    copy(query, out, DnsSection.ADDITIONAL);
    query.retain();
    int key = id;
    ScheduledFuture<?> timeout = upstream.eventLoop().schedule(() -> {
      Pending p = pending.remove(key);
      if (p != null) {
        reply(p.listener(), p.query(), DnsResponseCode.SERVFAIL, List.of());
        p.query().release();
      }
    }, FORWARD_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    pending.put(id, new Pending(listener, query, timeout));
    upstream.writeAndFlush(out);
  }

  private final class UpstreamHandler extends SimpleChannelInboundHandler<DatagramDnsResponse> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsResponse answer) {
      Pending p = pending.remove(answer.id());
      if (p == null || !upstreams.contains(answer.sender())) {
        return;
      }
      p.timeout().cancel(false);
      DatagramDnsQuery q = p.query();
      DatagramDnsResponse r = new DatagramDnsResponse(q.recipient(), q.sender(), q.id(), answer.opCode(), answer.code());
      r.setRecursionDesired(answer.isRecursionDesired()).setRecursionAvailable(answer.isRecursionAvailable())
          .setTruncated(answer.isTruncated()).setAuthoritativeAnswer(answer.isAuthoritativeAnswer());
      for (DnsSection s : DnsSection.values()) {
        copy(answer, r, s);
      }
      p.listener().writeAndFlush(r);
      q.release();
    }
  }

  private static void copy(io.netty.handler.codec.dns.DnsMessage from, io.netty.handler.codec.dns.DnsMessage to,
      DnsSection section) {
    for (int i = 0; i < from.count(section); i++) {
      DnsRecord rec = from.recordAt(section, i);
      to.addRecord(section, rec instanceof DnsRawRecord raw ? raw.retainedDuplicate() : rec);
    }
  }
}
