package org.functorrent.peer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.functorrent.interop.NettyLeaks;
import org.functorrent.metainfo.PeerId;
import org.functorrent.peer.PeerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The dialer that a swarm and a metadata fetch share: back-off, closing, dialing. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DialerTest {
  static {
    NettyLeaks.install();
  }

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final AtomicLong clock = new AtomicLong(100 * SECOND);
  private EventLoopGroup group;
  private EventLoop loop;
  private ClientCore client;

  @BeforeEach
  void setUp() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    loop = group.next();
    client =
        new ClientCore(group, PeerId.random("-DT0001-"), Runnable::run, PeerOptions.defaults(),
            clock::get);
  }

  @AfterEach
  void tearDown() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    NettyLeaks.assertNoLeaks();
  }

  @Test
  void theBackOffDoublesWithEachFailureUpToItsMaximumFromNowOrTheDial() {
    Dialer dialer = new Dialer(client, loop, new HashSet<>(), true);
    long max = TimeUnit.MINUTES.toNanos(5);
    long dialed = 90 * SECOND;
    assertThat(dialer.nextAttemptNanos(dialed, 0, max)).isEqualTo(102 * SECOND);
    assertThat(dialer.nextAttemptNanos(dialed, 1, max)).isEqualTo(104 * SECOND);
    assertThat(dialer.nextAttemptNanos(dialed, 3, max)).isEqualTo(116 * SECOND);
    assertThat(dialer.nextAttemptNanos(dialed, 7, max)).isEqualTo(356 * SECOND);
    assertThat(dialer.nextAttemptNanos(dialed, 8, max)).isEqualTo(100 * SECOND + max);
    assertThat(dialer.nextAttemptNanos(dialed, 1_000, max)).isEqualTo(100 * SECOND + max);
    // A clock that reads earlier than the dial counts from the dial.
    assertThat(dialer.nextAttemptNanos(130 * SECOND, 1, max)).isEqualTo(134 * SECOND);
  }

  @Test
  void closeAllClosesEveryChannelAndCompletesOnceAllAreClosed() {
    CompletableFuture<Void> none = new CompletableFuture<>();
    new Dialer(client, loop, new HashSet<>(), false).closeAll(none);
    assertThat(none).isCompleted();

    EmbeddedChannel a = new EmbeddedChannel();
    EmbeddedChannel b = new EmbeddedChannel();
    Set<Channel> channels = new HashSet<>(List.of(a, b));
    CompletableFuture<Void> both = new CompletableFuture<>();
    new Dialer(client, loop, channels, false).closeAll(both);
    assertThat(both).isCompleted();
    assertThat(a.isOpen()).isFalse();
    assertThat(b.isOpen()).isFalse();
  }

  @Test
  void aRefusedDialLeavesTheSetAndReportsItsHandlerAndDialTime() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort();
    }
    Set<Channel> channels = new HashSet<>();
    Dialer dialer = new Dialer(client, loop, channels, false);
    ChannelInboundHandlerAdapter made = new ChannelInboundHandlerAdapter();
    CompletableFuture<Object> closedWith = new CompletableFuture<>();
    CompletableFuture<Long> closedDialTime = new CompletableFuture<>();
    ChannelFuture f =
        loop.submit(
                () -> {
                  ChannelFuture dialing =
                      dialer.dial(
                          new InetSocketAddress(InetAddress.getLoopbackAddress(), deadPort),
                          () -> made,
                          (handler, dialedNanos) -> {
                            closedDialTime.complete(dialedNanos);
                            closedWith.complete(handler);
                          });
                  assertThat(channels).containsExactly(dialing.channel());
                  return dialing;
                })
            .get(10, TimeUnit.SECONDS);
    assertThat(closedWith.get(30, TimeUnit.SECONDS)).isSameAs(made);
    assertThat(closedDialTime.get()).isEqualTo(100 * SECOND);
    assertThat(f.isSuccess()).isFalse();
    assertThat(loop.submit(channels::isEmpty).get(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void onlyAServingDialerSetsTheWriteBufferWaterMarks() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
      InetSocketAddress address =
          new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
      WriteBufferWaterMark serving = waterMarkOfADial(address, true);
      WriteBufferWaterMark fetching = waterMarkOfADial(address, false);
      assertThat(serving.low()).isEqualTo(ClientCore.WATER_MARK.low());
      assertThat(serving.high()).isEqualTo(ClientCore.WATER_MARK.high());
      assertThat(fetching.high()).isNotEqualTo(ClientCore.WATER_MARK.high());
    }
  }

  private WriteBufferWaterMark waterMarkOfADial(InetSocketAddress address, boolean serving)
      throws Exception {
    Set<Channel> channels = new HashSet<>();
    Dialer dialer = new Dialer(client, loop, channels, serving);
    ChannelFuture f =
        loop.submit(
                () -> dialer.dial(address, ChannelInboundHandlerAdapter::new, (h, t) -> {}))
            .get(10, TimeUnit.SECONDS);
    assertThat(f.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(f.isSuccess()).isTrue();
    WriteBufferWaterMark mark = f.channel().config().getWriteBufferWaterMark();
    f.channel().close().syncUninterruptibly();
    return mark;
  }
}
