package org.functorrent.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Ticker;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** BEP 15 retransmission and connection ids, with a lossy proxy in front of our tracker. */
class UdpLossTest {
  private static final InfoHash HASH = InfoHash.fromHex("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");

  private EventLoopGroup group;
  private TrackerServer server;

  @BeforeEach
  void start() {
    group = Groups.newGroup();
    server = TrackerServer.start(group, InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach
  void stop() {
    server.closeAsync().join();
    Groups.shutdown(group);
  }

  private TrackerClient client(Ticker ticker) {
    return TrackerClient.builder(group)
        .udpLocalAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .udpRetransmitBase(Duration.ofMillis(50))
        .udpMaxRetransmits(6)
        .ticker(ticker)
        .build();
  }

  private static AnnounceRequest request(PeerId id, int port) {
    return AnnounceRequest.of(HASH, id, port, TransferStats.of(0, 0, 1))
        .withEvent(AnnounceEvent.STARTED);
  }

  @Test
  void retransmitsAfterLostPacketsAndSucceeds() throws Exception {
    TrackerClient client = client(Ticker.systemTicker());
    try (FakeUdpTracker proxy = FakeUdpTracker.lossyProxy(udpAddress(), 3)) {
      client
          .announce(server.udpAnnounceUri(), request(PeerId.random("-A-"), 7001))
          .get(10, TimeUnit.SECONDS);
      AnnounceResponse r =
          client
              .announce(proxy.uri(), request(PeerId.random("-B-"), 7002))
              .get(20, TimeUnit.SECONDS);
      assertThat(r.peers()).containsExactly(new InetSocketAddress("127.0.0.1", 7001));
      // three connect requests lost, then a connect and an announce answered
      assertThat(proxy.packetsReceived()).isGreaterThanOrEqualTo(5);
    } finally {
      client.closeAsync().join();
    }
  }

  @Test
  void connectionIdIsReusedForOneMinuteOnly() throws Exception {
    AtomicLong now = new AtomicLong();
    Ticker ticker =
        new Ticker() {
          @Override
          public long read() {
            return now.get();
          }
        };
    TrackerClient client = client(ticker);
    List<Integer> actions = new CopyOnWriteArrayList<>();
    try (FakeUdpTracker proxy =
        FakeUdpTracker.lossyProxy(
            udpAddress(), 0, request -> actions.add(ByteBuffer.wrap(request).getInt(8)))) {
      PeerId id = PeerId.random("-C-");
      client.announce(proxy.uri(), request(id, 7003)).get(10, TimeUnit.SECONDS);
      now.addAndGet(TimeUnit.SECONDS.toNanos(59));
      client.announce(proxy.uri(), request(id, 7003)).get(10, TimeUnit.SECONDS);
      now.addAndGet(TimeUnit.SECONDS.toNanos(1));
      client.scrape(proxy.uri(), List.of(HASH)).get(10, TimeUnit.SECONDS);
      // connect, announce; announce with the same id at 59 s; at 60 s a new connect first
      assertThat(actions).containsExactly(0, 1, 1, 0, 2);
    } finally {
      client.closeAsync().join();
    }
  }

  private InetSocketAddress udpAddress() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
  }
}
