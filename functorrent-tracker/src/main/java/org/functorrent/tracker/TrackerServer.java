package org.functorrent.tracker;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.functorrent.tracker.internal.TrackerServerCore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embeddable, in-memory BitTorrent tracker: HTTP ({@code /announce}, {@code /scrape}) on a TCP
 * port and UDP (BEP 15) on the same port number. It answers compact (BEP 23, with {@code peers6}
 * per BEP 7) and dictionary peer lists, forgets a peer three intervals after its last announce, and
 * tracks any info-hash it is told about. Its state lives on one event loop of the caller's group.
 *
 * <pre>{@code
 * try (TrackerServer tracker = TrackerServer.start(group, InetAddress.getLoopbackAddress(), 0)) {
 *   URI announce = tracker.httpAnnounceUri();
 * }
 * }</pre>
 */
public final class TrackerServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TrackerServer.class);

  private final Channel tcp;
  private final Channel udp;
  private final ScheduledFuture<?> expiry;
  private final InetSocketAddress address;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  private TrackerServer(Channel tcp, Channel udp, ScheduledFuture<?> expiry) {
    this.tcp = tcp;
    this.udp = udp;
    this.expiry = expiry;
    this.address = (InetSocketAddress) tcp.localAddress();
  }

  /**
   * Starts a tracker with the default settings on {@code bindAddress}, port {@code port} (0: any
   * free port that is free for both TCP and UDP). Blocks until both sockets are bound, so do not
   * call it on an event loop.
   */
  public static TrackerServer start(EventLoopGroup group, InetAddress bindAddress, int port) {
    return builder().start(group, bindAddress, port);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The address both sockets are bound to. */
  public InetSocketAddress address() {
    return address;
  }

  public int port() {
    return address.getPort();
  }

  /** {@code http://HOST:PORT/announce}. */
  public URI httpAnnounceUri() {
    return URI.create("http://" + hostForUri() + ":" + port() + "/announce");
  }

  /** {@code udp://HOST:PORT/announce}. */
  public URI udpAnnounceUri() {
    return URI.create("udp://" + hostForUri() + ":" + port() + "/announce");
  }

  private String hostForUri() {
    String host = address.getAddress().getHostAddress();
    return host.contains(":") ? "[" + host + "]" : host;
  }

  /** Closes both sockets and forgets every peer. Idempotent; does not wait (see closeAsync). */
  @Override
  public void close() {
    closeAsync();
  }

  /** As {@link #close()}, completing once both sockets are closed. */
  public CompletableFuture<Void> closeAsync() {
    if (!closed.isDone()) {
      expiry.cancel(false);
      tcp.close().addListener(f -> udp.close().addListener(g -> closed.complete(null)));
    }
    return closed;
  }

  /** Settings of a {@link TrackerServer}. */
  public static final class Builder {
    private Duration interval = Duration.ofMinutes(2);
    private Duration minInterval = Duration.ofSeconds(30);
    private int defaultNumWant = 50;
    private int maxNumWant = 200;
    private Ticker ticker = Ticker.systemTicker();

    private Builder() {}

    /**
     * The {@code interval} the tracker asks for (2 minutes by default); a peer is forgotten three
     * intervals after its last announce.
     */
    public Builder interval(Duration interval) {
      checkArgument(interval.toSeconds() >= 1, "interval: %s (expected: >= 1 second)", interval);
      this.interval = interval;
      return this;
    }

    /** The {@code min interval} of HTTP responses; 30 seconds by default. */
    public Builder minInterval(Duration minInterval) {
      checkArgument(!minInterval.isNegative(), "minInterval: %s (expected: >= 0)", minInterval);
      this.minInterval = minInterval;
      return this;
    }

    /** How many peers to return when the request does not say; 50 by default. */
    public Builder defaultNumWant(int n) {
      checkArgument(n >= 0, "defaultNumWant: %s (expected: >= 0)", n);
      this.defaultNumWant = n;
      return this;
    }

    /** The most peers to return, whatever the request asks for; 200 by default. */
    public Builder maxNumWant(int n) {
      checkArgument(n >= 0, "maxNumWant: %s (expected: >= 0)", n);
      this.maxNumWant = n;
      return this;
    }

    /** The clock of peer expiry and UDP connection ids; the system ticker by default. */
    public Builder ticker(Ticker ticker) {
      this.ticker = requireNonNull(ticker, "ticker");
      return this;
    }

    /** As {@link TrackerServer#start}, with these settings. */
    public TrackerServer start(EventLoopGroup group, InetAddress bindAddress, int port) {
      requireNonNull(group, "group");
      requireNonNull(bindAddress, "bindAddress");
      checkArgument(port >= 0 && port <= 0xffff, "port: %s (expected: 0 to 65535)", port);
      TrackerServerCore core =
          new TrackerServerCore(ticker, interval, minInterval, defaultNumWant, maxNumWant);
      EventLoop stateLoop = group.next();
      int attempts = port == 0 ? 10 : 1;
      Exception last = null;
      for (int i = 0; i < attempts; i++) {
        Channel tcp = null;
        try {
          tcp = bindTcp(group, bindAddress, port, core, stateLoop);
          int actual = ((InetSocketAddress) tcp.localAddress()).getPort();
          Channel udp = bindUdp(group, bindAddress, actual, core, stateLoop);
          long every = interval.toNanos();
          ScheduledFuture<?> expiry =
              stateLoop.scheduleAtFixedRate(
                  () -> core.swarms().expireAll(), every, every, TimeUnit.NANOSECONDS);
          log.debug("tracker on {}:{} (TCP and UDP)", bindAddress.getHostAddress(), actual);
          return new TrackerServer(tcp, udp, expiry);
        } catch (Exception e) { // bind failures are IOExceptions thrown without declaration
          last = e;
          if (tcp != null) {
            tcp.close().syncUninterruptibly();
          }
        }
      }
      throw new TrackerException(
          bindAddress.getHostAddress() + ":" + port, "cannot bind: " + last.getMessage(), last);
    }
  }

  private static Channel bindTcp(
      EventLoopGroup group,
      InetAddress bindAddress,
      int port,
      TrackerServerCore core,
      EventLoop stateLoop) {
    HttpHandler handler = new HttpHandler(core, stateLoop);
    // Every connection lives on the state loop: the swarm state needs no hand-over between loops.
    return new ServerBootstrap()
        .group(group, stateLoop)
        .channel(NioServerSocketChannel.class)
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                    .addLast(new ReadTimeoutHandler(30))
                    .addLast(new HttpServerCodec(8192, 8192, 8192))
                    .addLast(new HttpObjectAggregator(8192))
                    .addLast(handler);
              }
            })
        .bind(bindAddress, port)
        .syncUninterruptibly()
        .channel();
  }

  private static Channel bindUdp(
      EventLoopGroup group,
      InetAddress bindAddress,
      int port,
      TrackerServerCore core,
      EventLoop stateLoop) {
    return new Bootstrap()
        .group(stateLoop)
        .channel(NioDatagramChannel.class)
        .handler(new UdpHandler(core, stateLoop))
        .bind(bindAddress, port)
        .syncUninterruptibly()
        .channel();
  }

  @ChannelHandler.Sharable
  private static final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final TrackerServerCore core;
    private final EventLoop stateLoop;

    HttpHandler(TrackerServerCore core, EventLoop stateLoop) {
      this.core = core;
      this.stateLoop = stateLoop;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (request.decoderResult().isFailure() || !request.method().equals(HttpMethod.GET)) {
        respond(ctx, HttpResponseStatus.BAD_REQUEST, TrackerServerCore.failure("bad request"));
        return;
      }
      String uri = request.uri();
      String path;
      try {
        path = new QueryStringDecoder(uri).path();
      } catch (IllegalArgumentException e) {
        respond(ctx, HttpResponseStatus.BAD_REQUEST, TrackerServerCore.failure("malformed path"));
        return;
      }
      InetSocketAddress sender = (InetSocketAddress) ctx.channel().remoteAddress();
      if (path.equals("/announce")) {
        onStateLoop(() -> respond(ctx, () -> core.httpAnnounce(uri, sender)));
      } else if (path.equals("/scrape")) {
        onStateLoop(() -> respond(ctx, () -> core.httpScrape(uri)));
      } else {
        respond(ctx, HttpResponseStatus.NOT_FOUND, TrackerServerCore.failure("not found"));
      }
    }

    private void onStateLoop(Runnable task) {
      if (stateLoop.inEventLoop()) {
        task.run();
      } else {
        stateLoop.execute(task);
      }
    }

    private static void respond(ChannelHandlerContext ctx, Supplier<byte[]> answer) {
      byte[] body;
      try {
        body = answer.get();
      } catch (RuntimeException e) {
        log.debug("tracker request from {}: {}", ctx.channel().remoteAddress(), e.toString());
        body = TrackerServerCore.failure("bad request");
      }
      respond(ctx, HttpResponseStatus.OK, body);
    }

    private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, byte[] b) {
      FullHttpResponse response =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(b));
      response
          .headers()
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, b.length)
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("tracker HTTP connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  private static final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final TrackerServerCore core;
    private final EventLoop stateLoop;

    UdpHandler(TrackerServerCore core, EventLoop stateLoop) {
      this.core = core;
      this.stateLoop = stateLoop;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      byte[] bytes = ByteBufUtil.getBytes(packet.content());
      InetSocketAddress sender = packet.sender();
      Runnable task =
          () -> {
            byte[] answer;
            try {
              answer = core.udp(bytes, sender);
            } catch (RuntimeException e) {
              log.debug("tracker UDP packet from {}: {}", sender, e.toString());
              answer = null;
            }
            if (answer != null) {
              ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(answer), sender));
            }
          };
      if (stateLoop.inEventLoop()) {
        task.run();
      } else {
        stateLoop.execute(task);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("tracker UDP socket: {}", cause.toString());
    }
  }
}
