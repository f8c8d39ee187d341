package org.functorrent.peer.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The outgoing connections of one engine (a swarm or a metadata fetch): dials an address on the
 * engine's loop with the handshake codec in front of a handler the engine makes, keeps the
 * channel in the engine's set while it is open, tells the engine when it closed, and closes all
 * the engine's channels when the engine closes. Used on the engine's loop only.
 */
final class Dialer {
  /** The first retry waits this long; each failure doubles it. */
  private static final long FIRST_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final ClientCore client;
  private final EventLoop loop;
  private final Set<Channel> channels;
  private final boolean serving;

  /**
   * A dialer for an engine whose open channels are {@code channels}; when {@code serving}, the
   * connections serve pieces and stop being writable above {@link ClientCore#WATER_MARK}.
   */
  Dialer(ClientCore client, EventLoop loop, Set<Channel> channels, boolean serving) {
    this.client = client;
    this.loop = loop;
    this.channels = channels;
    this.serving = serving;
  }

  /** Hears that a dialed channel closed (on the engine's loop, once it left the set). */
  interface Closed<H> {
    /**
     * @param handler the connection's handler, or null when the channel closed before it had
     *     one
     * @param dialedNanos when the dial began, on the client's clock
     */
    void closed(H handler, long dialedNanos);
  }

  /**
   * Dials {@code address}; {@code newHandler} makes the connection's handler when the channel is
   * set up, and {@code closed} hears when the channel closed, whether it ever connected or not.
   */
  <H extends ChannelHandler> ChannelFuture dial(
      InetSocketAddress address, Supplier<H> newHandler, Closed<H> closed) {
    AtomicReference<H> handler = new AtomicReference<>();
    Bootstrap b =
        new Bootstrap()
            .group(loop)
            .channel(client.socketChannelType())
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) client.options().connectTimeout().toMillis())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.RECVBUF_ALLOCATOR, ClientCore.RECEIVE_BUFFERS);
    if (serving) {
      b.option(ChannelOption.WRITE_BUFFER_WATER_MARK, ClientCore.WATER_MARK);
    }
    b.handler(
        new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            H h = newHandler.get();
            handler.set(h);
            ch.pipeline()
                .addLast("hs-decoder", new HandshakeCodec.Decoder())
                .addLast("peer", h);
          }
        });
    ChannelFuture f = b.connect(address);
    Channel ch = f.channel();
    channels.add(ch);
    long dialedNanos = client.nanoTime();
    ch.closeFuture()
        .addListener(
            x -> {
              channels.remove(ch);
              closed.closed(handler.get(), dialedNanos);
            });
    return f;
  }

  /**
   * Closes every channel in the engine's set, dialed or adopted (on any loops), and completes
   * {@code closed} once all of them are closed: at once if there is none.
   */
  void closeAll(CompletableFuture<Void> closed) {
    List<ChannelFuture> closing = new ArrayList<>();
    for (Channel ch : new ArrayList<>(channels)) {
      closing.add(ch.close());
    }
    if (closing.isEmpty()) {
      closed.complete(null);
      return;
    }
    AtomicInteger left = new AtomicInteger(closing.size());
    for (ChannelFuture f : closing) {
      f.addListener(
          x -> {
            if (left.decrementAndGet() == 0) {
              closed.complete(null);
            }
          });
    }
  }

  /**
   * When an address may be dialed again after a connection dialed at {@code dialedNanos} closed
   * and {@code failures} failures in a row: 2 s doubled for each failure, at most
   * {@code maxBackoffNanos}, counted from now (never from before the dial).
   */
  long nextAttemptNanos(long dialedNanos, int failures, long maxBackoffNanos) {
    long backoff = Math.min(maxBackoffNanos, FIRST_BACKOFF_NANOS << Math.min(failures, 20));
    return Math.max(client.nanoTime(), dialedNanos) + backoff;
  }
}
