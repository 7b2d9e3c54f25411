package dev.orch.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.dns.DefaultDnsQuery;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.TcpDnsQueryEncoder;
import io.netty.handler.codec.dns.TcpDnsResponseDecoder;
import java.io.DataInputStream;
import java.net.Socket;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A Netty DNS client bound to one source address, for tests. */
final class DnsClient implements AutoCloseable {
  record Answer(String code, int id, List<String> addresses, boolean truncated) {}

  private final EventLoopGroup group = new NioEventLoopGroup(1);
  private final Channel channel;
  private final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
  private int nextId = 1;

  DnsClient(String source) throws InterruptedException {
    channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
        .handler(new ChannelInitializer<DatagramChannel>() {
          @Override
          protected void initChannel(DatagramChannel ch) {
            ch.pipeline().addLast(new DatagramDnsQueryEncoder(), new DatagramDnsResponseDecoder(),
                new SimpleChannelInboundHandler<DatagramDnsResponse>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsResponse r) throws Exception {
                    answers.add(answer(r));
                  }
                });
          }
        }).bind(source, 0).sync().channel();
  }

  Answer ask(InetSocketAddress server, String name, DnsRecordType type) throws InterruptedException {
    int id = nextId++;
    DatagramDnsQuery q = new DatagramDnsQuery(null, server, id).setRecursionDesired(true);
    q.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(name, type));
    channel.writeAndFlush(q).sync();
    Answer a = answers.poll(5, TimeUnit.SECONDS);
    if (a == null) {
      throw new AssertionError("no DNS answer for " + name);
    }
    return a;
  }

  private static Answer answer(DnsResponse r) throws java.io.IOException {
    List<String> ips = new ArrayList<>();
    for (int i = 0; i < r.count(DnsSection.ANSWER); i++) {
      DnsRawRecord rec = r.recordAt(DnsSection.ANSWER, i);
      byte[] b = new byte[rec.content().readableBytes()];
      rec.content().getBytes(rec.content().readerIndex(), b);
      ips.add(InetAddress.getByAddress(b).getHostAddress());
    }
    return new Answer(r.code().toString(), r.id(), ips, r.isTruncated());
  }

  /** One query over a new TCP connection (encoded and decoded by Netty's TCP DNS codec). */
  static Answer askTcp(InetSocketAddress server, String name, DnsRecordType type) throws Exception {
    EmbeddedChannel encoder = new EmbeddedChannel(new TcpDnsQueryEncoder());
    DnsQuery q = new DefaultDnsQuery(42).setRecursionDesired(true);
    q.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(name, type));
    encoder.writeOutbound(q);
    ByteBuf out = Unpooled.buffer();
    for (ByteBuf b; (b = encoder.readOutbound()) != null; b.release()) {
      out.writeBytes(b);
    }
    try (Socket s = new Socket(server.getAddress(), server.getPort())) {
      s.setSoTimeout(5000);
      byte[] bytes = new byte[out.readableBytes()];
      out.readBytes(bytes);
      s.getOutputStream().write(bytes);
      DataInputStream in = new DataInputStream(s.getInputStream());
      int len = in.readUnsignedShort();
      byte[] body = new byte[len];
      in.readFully(body);
      EmbeddedChannel decoder = new EmbeddedChannel(new TcpDnsResponseDecoder());
      ByteBuf framed = Unpooled.buffer().writeShort(len).writeBytes(body);
      decoder.writeInbound(framed);
      DnsResponse r = decoder.readInbound();
      try {
        return answer(r);
      } finally {
        r.release();
      }
    }
  }

  @Override
  public void close() {
    channel.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
