package org.functorrent.dht.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.functorrent.dht.DhtOptions;
import org.functorrent.dht.NodeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node's upkeep on an {@link EmbeddedChannel} and a manual clock: bucket refresh after 15
 * minutes without change, and query timeouts, with no sleeping.
 */
class MaintenanceTest {
  private static final InetSocketAddress US = new InetSocketAddress("127.0.0.1", 6881);
  private static final InetSocketAddress OTHER = new InetSocketAddress("127.0.0.1", 7000);
  private final ManualTicker clock = new ManualTicker();
  private EmbeddedChannel channel;
  private DhtEngine engine;

  @BeforeEach
  void setUp() {
    DhtOptions options = DhtOptions.defaults().toBuilder()
        .maintenanceInterval(Duration.ofMinutes(1))
        .queryTimeout(Duration.ofSeconds(5))
        .build();
    engine = new DhtEngine(options, NodeId.random(new Random()), clock, List.of(), List.of());
    channel = new EmbeddedChannel();
    channel.pipeline().addLast(engine);
    engine.attach(channel);
  }

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  private KrpcMessage readOutbound() {
    DatagramPacket out = channel.readOutbound();
    if (out == null) {
      return null;
    }
    try {
      ByteBuf c = out.content();
      byte[] bytes = new byte[c.readableBytes()];
      c.getBytes(c.readerIndex(), bytes);
      assertThat(out.recipient()).isEqualTo(OTHER);
      return Krpc.decode(bytes);
    } finally {
      out.release();
    }
  }

  private void minutesPass(int minutes) {
    clock.advance(Duration.ofMinutes(minutes));
    channel.advanceTimeBy(minutes, TimeUnit.MINUTES);
    channel.runScheduledPendingTasks();
  }

  @Test
  void aBucketUnchangedFor15MinutesIsRefreshedWithAFindNode() {
    String ping = "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe";
    channel.writeInbound(
        new DatagramPacket(Unpooled.wrappedBuffer(ping.getBytes(ISO_8859_1)), US, OTHER));
    assertThat(readOutbound()).isInstanceOf(KrpcMessage.Response.class);
    assertThat(engine.stats().routingTableNodes()).isEqualTo(1);

    minutesPass(14);
    assertThat(readOutbound()).as("nothing to refresh yet").isNull();

    minutesPass(1);
    KrpcMessage refresh = readOutbound();
    assertThat(refresh).isInstanceOf(KrpcMessage.FindNode.class);
    assertThat(readOutbound()).isNull();
    assertThat(engine.stats().lookupsRunning()).isEqualTo(1);

    // Nobody answers: after the query timeout the query has failed and the lookup is over.
    channel.advanceTimeBy(5, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    channel.runPendingTasks();
    assertThat(engine.stats().timeouts()).isEqualTo(1);
    assertThat(engine.stats().lookupsRunning()).isZero();
    assertThat(engine.table().get(OTHER).state()).isEqualTo(RoutingTable.State.QUESTIONABLE);

    // The bucket counts as refreshed: no new lookup a minute later.
    minutesPass(1);
    assertThat(readOutbound()).isNull();
  }
}
