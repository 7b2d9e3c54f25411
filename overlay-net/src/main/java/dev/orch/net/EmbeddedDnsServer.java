package dev.orch.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsMessage;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.TcpDnsQueryDecoder;
import io.netty.handler.codec.dns.TcpDnsResponseEncoder;
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
 * The DNS server containers use (UDP and TCP). It listens on addresses the node gives it (each network's
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
  private final Map<InetSocketAddress, List<Channel>> listeners = new HashMap<>();
  private final Map<Integer, Pending> pending = new HashMap<>();
  private final Random ids;
  private final Channel upstream;

  private record Pending(Asker asker, DnsQuery query, ScheduledFuture<?> timeout) {}

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

  /**
   * Starts answering on {@code address:port}, UDP and TCP (port 0 picks one for both); returns the
   * bound address.
   */
  public synchronized InetSocketAddress listen(String address, int port) throws NetworkException {
    InetSocketAddress want = new InetSocketAddress(address, port);
    List<Channel> existing = listeners.get(want);
    if (existing != null) {
      return (InetSocketAddress) existing.get(0).localAddress();
    }
    // With port 0 the kernel picks a free UDP port, which some other socket may hold for TCP:
    // then try another UDP port (a few times) rather than fail.
    for (int attempt = 1; ; attempt++) {
      try {
        return bindBoth(want, port);
      } catch (NetworkException e) {
        if (port != 0 || attempt == 5 || !(e.getCause() instanceof java.net.BindException)) {
          throw e;
        }
      }
    }
  }

  private InetSocketAddress bindBoth(InetSocketAddress want, int port) throws NetworkException {
    String address = want.getHostString();
    Channel udp = null;
    try {
      udp = new Bootstrap().group(group).channel(NioDatagramChannel.class)
          .handler(new ChannelInitializer<DatagramChannel>() {
            @Override
            protected void initChannel(DatagramChannel c) {
              c.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new UdpQueryHandler());
            }
          }).bind(want).sync().channel();
      InetSocketAddress bound = (InetSocketAddress) udp.localAddress();
      Channel tcp = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel c) {
              c.pipeline().addLast(new TcpDnsQueryDecoder(), new TcpDnsResponseEncoder(), new TcpQueryHandler());
            }
          }).bind(bound).sync().channel();
      listeners.put(port == 0 ? bound : want, List.of(udp, tcp));
      return bound;
    } catch (Exception e) {
      if (udp != null) {
        udp.close();
      }
      throw new NetworkException("cannot listen for DNS on " + address + ":" + port + ": " + e.getMessage()
          + " (the address must be on one of this node's interfaces)", e);
    }
  }

  /** Stops answering on an address {@link #listen} returned. */
  public synchronized void unlisten(InetSocketAddress address) {
    List<Channel> chs = listeners.remove(address);
    if (chs != null) {
      chs.forEach(ch -> ch.close().syncUninterruptibly());
    }
  }

  @Override
  public synchronized void close() {
    listeners.values().forEach(chs -> chs.forEach(Channel::close));
    listeners.clear();
    upstream.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Where an answer goes: the asker's UDP socket or its TCP connection. */
  private interface Asker {
    InetAddress source();

    DnsResponse response(int id, DnsOpCode op, DnsResponseCode code);

    /** The largest answer the asker takes; longer ones are cut and flagged truncated. */
    int maxSize();

    void send(DnsResponse r);
  }

  private final class UdpQueryHandler extends SimpleChannelInboundHandler<DatagramDnsQuery> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
      int max = udpLimit(query);
      answer(query, new Asker() {
        @Override
        public InetAddress source() {
          return query.sender().getAddress();
        }

        @Override
        public DnsResponse response(int id, DnsOpCode op, DnsResponseCode code) {
          return new DatagramDnsResponse(query.recipient(), query.sender(), id, op, code);
        }

        @Override
        public int maxSize() {
          return max;
        }

        @Override
        public void send(DnsResponse r) {
          ctx.channel().writeAndFlush(r);
        }
      });
    }
  }

  private final class TcpQueryHandler extends SimpleChannelInboundHandler<DnsQuery> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DnsQuery query) {
      InetAddress source = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
      answer(query, new Asker() {
        @Override
        public InetAddress source() {
          return source;
        }

        @Override
        public DnsResponse response(int id, DnsOpCode op, DnsResponseCode code) {
          return new DefaultDnsResponse(id, op, code);
        }

        @Override
        public int maxSize() {
          return 65535;
        }

        @Override
        public void send(DnsResponse r) {
          ctx.writeAndFlush(r);
        }
      });
    }
  }

  /** 512 bytes, or what the asker's EDNS OPT record offers. */
  private static int udpLimit(DnsQuery query) {
    for (int i = 0; i < query.count(DnsSection.ADDITIONAL); i++) {
      DnsRecord r = query.recordAt(DnsSection.ADDITIONAL, i);
      if (r.type() == DnsRecordType.OPT) {
        return Math.max(512, Math.min(4096, r.dnsClass()));
      }
    }
    return 512;
  }

  private void answer(DnsQuery query, Asker asker) {
    DnsQuestion q = query.recordAt(DnsSection.QUESTION);
    if (q == null || query.opCode() != DnsOpCode.QUERY) {
      reply(asker, query, DnsResponseCode.FORMERR, List.of());
      return;
    }
    List<Inet4Address> hits = names.lookup(asker.source(), q.name());
    if (!hits.isEmpty()) {
      // a known name: A records, and an empty answer to other types so nobody asks upstream
      reply(asker, query, DnsResponseCode.NOERROR, q.type() == DnsRecordType.A ? hits : List.of());
    } else {
      forward(asker, query);
    }
  }

  private void reply(Asker asker, DnsQuery query, DnsResponseCode code, List<Inet4Address> answers) {
    DnsResponse r = asker.response(query.id(), DnsOpCode.QUERY, code);
    r.setRecursionDesired(query.isRecursionDesired()).setRecursionAvailable(true);
    DnsQuestion q = query.recordAt(DnsSection.QUESTION);
    if (q != null) {
      r.setAuthoritativeAnswer(!answers.isEmpty());
      r.addRecord(DnsSection.QUESTION, q);
      // header 12, question name + 4, each A record name + 14 (names are written uncompressed)
      int nameBytes = q.name().length() + 2;
      int room = (asker.maxSize() - 12 - nameBytes - 4) / (nameBytes + 14);
      for (int i = 0; i < answers.size() && i < room; i++) {
        r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(q.name(), DnsRecordType.A, 0,
            Unpooled.wrappedBuffer(answers.get(i).getAddress())));
      }
      r.setTruncated(answers.size() > room);
    }
    asker.send(r);
  }

  private void forward(Asker asker, DnsQuery query) {
    if (upstreams.isEmpty() || pending.size() >= 60000) {
      reply(asker, query, DnsResponseCode.SERVFAIL, List.of());
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
        reply(p.asker(), p.query(), DnsResponseCode.SERVFAIL, List.of());
        p.query().release();
      }
    }, FORWARD_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    pending.put(id, new Pending(asker, query, timeout));
    upstream.writeAndFlush(out);
  }

  private final class UpstreamHandler extends SimpleChannelInboundHandler<DatagramDnsResponse> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsResponse answer) {
      Pending p = pending.get(answer.id());
      if (p == null || !upstreams.contains(answer.sender())) {
        return;
      }
      pending.remove(answer.id());
      p.timeout().cancel(false);
      DnsQuery q = p.query();
      DnsResponse r = p.asker().response(q.id(), answer.opCode(), answer.code());
      r.setRecursionDesired(answer.isRecursionDesired()).setRecursionAvailable(answer.isRecursionAvailable())
          .setTruncated(answer.isTruncated()).setAuthoritativeAnswer(answer.isAuthoritativeAnswer());
      for (DnsSection s : DnsSection.values()) {
        copy(answer, r, s);
      }
      p.asker().send(r);
      q.release();
    }
  }

  private static void copy(DnsMessage from, DnsMessage to, DnsSection section) {
    for (int i = 0; i < from.count(section); i++) {
      DnsRecord rec = from.recordAt(section, i);
      to.addRecord(section, rec instanceof DnsRawRecord raw ? raw.retainedDuplicate() : rec);
    }
  }
}
