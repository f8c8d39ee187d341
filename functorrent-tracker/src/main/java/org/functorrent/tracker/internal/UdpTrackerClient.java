package org.functorrent.tracker.internal;

import com.google.common.base.Ticker;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.tracker.AnnounceRequest;
import org.functorrent.tracker.AnnounceResponse;
import org.functorrent.tracker.ScrapeStats;
import org.functorrent.tracker.TrackerException;
import org.functorrent.tracker.internal.HttpTrackerCodec.MalformedResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UDP announce and scrape (BEP 15) over one datagram channel. All state is confined to that
 * channel's event loop: the pending transactions and the connection id of each tracker, which is
 * used for at most {@link #CONNECTION_ID_LIFETIME}. A request that gets no answer is sent again
 * after {@code base * 2^n} (n = 0, 1, ... up to the configured number of retransmissions; the
 * spec's base is 15 seconds and its maximum n is 8).
 */
public final class UdpTrackerClient {
  /** How long a client may use a connection id (BEP 15). */
  public static final Duration CONNECTION_ID_LIFETIME = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(UdpTrackerClient.class);
  private static final String CLIENT_CLOSED = "client closed";

  private final EventLoopGroup group;
  private final Class<? extends DatagramChannel> channelType;
  private final InetSocketAddress localAddress;
  private final Duration retransmitBase;
  private final int maxRetransmits;
  private final Ticker ticker;

  private CompletableFuture<Channel> channel; // guarded by this
  private boolean closed; // guarded by this

  // Confined to the channel's event loop.
  private final Map<Integer, Operation<?>> byTransaction = new HashMap<>();
  private final Set<Operation<?>> pending = new HashSet<>();
  private final Map<InetSocketAddress, Connection> connections = new HashMap<>();
  // Transaction ids that were answered or replaced recently: a late or duplicate answer to one of
  // them is ignored rather than taken for a wrong transaction id.
  private final Set<Integer> retired =
      java.util.Collections.newSetFromMap(
          new java.util.LinkedHashMap<Integer, Boolean>() {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Boolean> eldest) {
              return size() > 4096;
            }
          });

  private record Connection(long id, long obtainedNanos) {}

  public UdpTrackerClient(
      EventLoopGroup group,
      Class<? extends DatagramChannel> channelType,
      InetSocketAddress localAddress,
      Duration retransmitBase,
      int maxRetransmits,
      Ticker ticker) {
    this.group = group;
    this.channelType = channelType;
    this.localAddress = localAddress;
    this.retransmitBase = retransmitBase;
    this.maxRetransmits = maxRetransmits;
    this.ticker = ticker;
  }

  public CompletableFuture<AnnounceResponse> announce(URI tracker, AnnounceRequest request) {
    return start(
        tracker,
        (connectionId, transactionId) ->
            UdpTrackerCodec.announceRequest(connectionId, transactionId, request),
        UdpTrackerCodec.ACTION_ANNOUNCE,
        (packet, address) ->
            UdpTrackerCodec.parseAnnounce(
                packet, address.getAddress() instanceof Inet6Address ? 16 : 4));
  }

  public CompletableFuture<ImmutableMap<InfoHash, ScrapeStats>> scrape(
      URI tracker, List<InfoHash> infoHashes) {
    if (infoHashes.isEmpty() || infoHashes.size() > UdpTrackerCodec.MAX_SCRAPE_HASHES) {
      return CompletableFuture.failedFuture(
          new TrackerException(
              tracker.toString(),
              "scrape of " + infoHashes.size() + " info-hashes (expected: 1 to 74)"));
    }
    ImmutableList<InfoHash> hashes = ImmutableList.copyOf(infoHashes);
    return start(
        tracker,
        (connectionId, transactionId) ->
            UdpTrackerCodec.scrapeRequest(connectionId, transactionId, hashes),
        UdpTrackerCodec.ACTION_SCRAPE,
        (packet, address) -> UdpTrackerCodec.parseScrape(packet, hashes));
  }

  /** Closes the channel; pending requests fail. */
  public CompletableFuture<Void> close() {
    CompletableFuture<Channel> c;
    synchronized (this) {
      closed = true;
      c = channel;
    }
    if (c == null) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    c.whenComplete(
        (ch, error) -> {
          if (ch == null) {
            done.complete(null);
            return;
          }
          ch.eventLoop()
              .execute(
                  () -> {
                    for (Operation<?> op : new ArrayList<>(pending)) {
                      op.fail(CLIENT_CLOSED);
                    }
                    ch.close().addListener(f -> done.complete(null));
                  });
        });
    return done;
  }

  private interface RequestEncoder {
    byte[] encode(long connectionId, int transactionId);
  }

  private interface ResponseParser<T> {
    T parse(byte[] packet, InetSocketAddress tracker) throws MalformedResponseException;
  }

  private <T> CompletableFuture<T> start(
      URI tracker, RequestEncoder encoder, int action, ResponseParser<T> parser) {
    String url = tracker.toString();
    if (tracker.getHost() == null || tracker.getPort() <= 0) {
      return CompletableFuture.failedFuture(
          new TrackerException(url, "no host or port (expected: udp://HOST:PORT)"));
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    Resolver.resolve(tracker.getHost(), tracker.getPort())
        .thenCombine(channel(), (address, ch) -> new Object[] {address, ch})
        .whenComplete(
            (pair, error) -> {
              if (error != null) {
                String what = HttpTrackerClient.rootMessage(error);
                result.completeExceptionally(
                    new TrackerException(
                        url, what.equals(CLIENT_CLOSED) ? what : "unreachable: " + what, error));
                return;
              }
              InetSocketAddress address = (InetSocketAddress) pair[0];
              Channel ch = (Channel) pair[1];
              ch.eventLoop()
                  .execute(
                      () -> {
                        Operation<T> op =
                            new Operation<>(ch, url, address, encoder, action, parser, result);
                        pending.add(op);
                        op.step();
                      });
            });
    return result;
  }

  private synchronized CompletableFuture<Channel> channel() {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException(CLIENT_CLOSED));
    }
    if (channel == null) {
      CompletableFuture<Channel> f = new CompletableFuture<>();
      channel = f;
      new Bootstrap()
          .group(group)
          .channel(channelType)
          .handler(new Inbound())
          .bind(localAddress)
          .addListener(
              (io.netty.channel.ChannelFuture cf) -> {
                if (cf.isSuccess()) {
                  f.complete(cf.channel());
                } else {
                  f.completeExceptionally(cf.cause());
                }
              });
    }
    return channel;
  }

  private final class Inbound extends SimpleChannelInboundHandler<DatagramPacket> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      received(packet.sender(), ByteBufUtil.getBytes(packet.content()));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("UDP tracker channel: {}", cause.toString());
    }
  }

  private void received(InetSocketAddress sender, byte[] packet) {
    if (packet.length < 8) {
      failAll(sender, "packet of " + packet.length + " bytes (expected: at least 8)");
      return;
    }
    int transactionId = UdpTrackerCodec.transactionId(packet);
    Operation<?> op = byTransaction.get(transactionId);
    if (op == null || !op.tracker.equals(sender)) {
      if (retired.contains(transactionId)) {
        return;
      }
      for (Operation<?> o : new ArrayList<>(pending)) {
        if (o.tracker.equals(sender)) {
          o.fail(
              String.format(
                  "transaction id %08x (expected: %08x)", transactionId, o.transactionId));
        }
      }
      return;
    }
    op.received(packet);
  }

  private void failAll(InetSocketAddress sender, String reason) {
    for (Operation<?> o : new ArrayList<>(pending)) {
      if (o.tracker.equals(sender)) {
        o.fail(reason);
      }
    }
  }

  /** One announce or scrape: connect if needed, then the request, each retransmitted. */
  private final class Operation<T> {
    final Channel channel;
    final String url;
    final InetSocketAddress tracker;
    final RequestEncoder encoder;
    final int action;
    final ResponseParser<T> parser;
    final CompletableFuture<T> result;
    int attempt;
    int transactionId;
    boolean connecting;
    ScheduledFuture<?> timer;

    Operation(
        Channel channel,
        String url,
        InetSocketAddress tracker,
        RequestEncoder encoder,
        int action,
        ResponseParser<T> parser,
        CompletableFuture<T> result) {
      this.channel = channel;
      this.url = url;
      this.tracker = tracker;
      this.encoder = encoder;
      this.action = action;
      this.parser = parser;
      this.result = result;
    }

    void step() {
      if (timer != null) {
        timer.cancel(false);
      }
      if (transactionId != 0) {
        byTransaction.remove(transactionId);
        retired.add(transactionId);
      }
      transactionId = newTransactionId();
      byTransaction.put(transactionId, this);
      Connection c = connections.get(tracker);
      if (c != null && ticker.read() - c.obtainedNanos() >= CONNECTION_ID_LIFETIME.toNanos()) {
        connections.remove(tracker);
        c = null;
      }
      byte[] packet;
      if (c == null) {
        connecting = true;
        packet = UdpTrackerCodec.connectRequest(transactionId);
      } else {
        connecting = false;
        packet = encoder.encode(c.id(), transactionId);
      }
      channel
          .writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(packet), tracker))
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  log.debug("UDP send to {} failed: {}", tracker, f.cause().toString());
                }
              });
      long delay = retransmitBase.toNanos() << attempt;
      timer = channel.eventLoop().schedule(this::timedOut, delay, TimeUnit.NANOSECONDS);
    }

    private int newTransactionId() {
      int id;
      do {
        id = ThreadLocalRandom.current().nextInt();
      } while (id == 0 || byTransaction.containsKey(id) || retired.contains(id));
      return id;
    }

    void timedOut() {
      if (result.isDone()) {
        return;
      }
      attempt++;
      if (attempt > maxRetransmits) {
        fail(
            "timeout: no response after "
                + attempt
                + " attempts (last waited "
                + ((retransmitBase.toMillis() << (attempt - 1)))
                + " ms)");
        return;
      }
      step();
    }

    void received(byte[] packet) {
      int got = UdpTrackerCodec.action(packet);
      if (got == UdpTrackerCodec.ACTION_ERROR) {
        connections.remove(tracker);
        fail("tracker error: " + UdpTrackerCodec.parseError(packet));
        return;
      }
      int expected = connecting ? UdpTrackerCodec.ACTION_CONNECT : action;
      if (got != expected) {
        fail("response action " + got + " (expected: " + expected + ")");
        return;
      }
      if (!connecting && got == UdpTrackerCodec.ACTION_ANNOUNCE && packet.length == 8) {
        // opentracker's answer to an info-hash that is not on its whitelist: no error action,
        // just the 8-byte header.
        fail("announce refused: empty response (the tracker does not serve this info-hash)");
        return;
      }
      try {
        if (connecting) {
          long id = UdpTrackerCodec.parseConnect(packet);
          connections.put(tracker, new Connection(id, ticker.read()));
          step();
        } else {
          T value = parser.parse(packet, tracker);
          finish();
          result.complete(value);
        }
      } catch (MalformedResponseException e) {
        fail("malformed response: " + e.getMessage());
      }
    }

    void fail(String reason) {
      finish();
      result.completeExceptionally(new TrackerException(url, reason));
    }

    private void finish() {
      if (timer != null) {
        timer.cancel(false);
      }
      byTransaction.remove(transactionId);
      retired.add(transactionId);
      pending.remove(this);
    }
  }
}
