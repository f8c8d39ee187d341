package org.functorrent.tracker;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sessions against our tracker over loopback, with a broken tracker in the first tier. */
class AnnounceSessionTest {
  private static final InfoHash HASH = InfoHash.fromHex("9999999999999999999999999999999999999999");

  private EventLoopGroup group;
  private TrackerServer server;
  private TrackerClient client;

  @BeforeEach
  void start() {
    group = Groups.newGroup();
    // min interval 0 so that completed may follow started at once
    server =
        TrackerServer.builder()
            .minInterval(Duration.ZERO)
            .start(group, InetAddress.getLoopbackAddress(), 0);
    client =
        TrackerClient.builder(group)
            .udpLocalAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .build();
  }

  @AfterEach
  void stop() {
    client.closeAsync().join();
    server.closeAsync().join();
    Groups.shutdown(group);
  }

  private static final class Events implements TrackerListener {
    final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

    @Override
    public void statusChanged(URI tracker, TrackerStatus status) {
      queue.add(tracker.getScheme() + " " + status);
    }

    @Override
    public void peersDiscovered(URI tracker, List<InetSocketAddress> peers) {
      queue.add(tracker.getScheme() + " peers " + peers);
    }

    String nextStatus() throws InterruptedException {
      String e;
      do {
        e = next();
      } while (e.contains(" peers "));
      return e;
    }

    String next() throws InterruptedException {
      String e = queue.poll(10, TimeUnit.SECONDS);
      assertThat(e).as("an event within 10 s").isNotNull();
      return e;
    }
  }

  @Test
  void malformedTrackerIsAnErrorAndTheTorrentGoesOnWithTheNextTier() throws Exception {
    try (FakeHttpTracker broken =
        FakeHttpTracker.answering("d8:intervali60e5:peers5:abcdee".getBytes(ISO_8859_1))) {
      Events first = new Events();
      AnnounceSession a =
          AnnounceSession.builder(client, HASH, PeerId.random("-A-"))
              .tiers(
                  List.of(
                      List.of(broken.announce().toString(), "wss://ignored.test/"),
                      List.of(server.udpAnnounceUri().toString())))
              .port(7101)
              .stats(() -> TransferStats.of(0, 0, 100))
              .listener(first)
              .start();
      assertThat(first.next())
          .isEqualTo(
              "http Error[reason=malformed response: compact \"peers\" of 5 bytes"
                  + " (expected: a multiple of 6)]");
      assertThat(first.next()).isEqualTo("udp Started[]");
      assertThat(a.status(server.udpAnnounceUri())).isEqualTo(new TrackerStatus.Started());
      assertThat(a.statuses()).hasSize(2);

      Events second = new Events();
      AnnounceSession b =
          AnnounceSession.builder(client, HASH, PeerId.random("-B-"))
              .tiers(List.of(List.of(server.httpAnnounceUri().toString())))
              .port(7102)
              .minAnnounceInterval(Duration.ZERO)
              .stats(() -> TransferStats.of(0, 0, 0))
              .listener(second)
              .start();
      assertThat(second.next()).isEqualTo("http Started[]");
      assertThat(second.next()).isEqualTo("http peers [/127.0.0.1:7101]");

      b.completed();
      assertThat(second.nextStatus()).isEqualTo("http Completed[]");

      b.close();
      assertThat(second.nextStatus()).isEqualTo("http None[]");
      a.close();
      assertThat(first.nextStatus()).isEqualTo("udp None[]");
      assertThat(client.scrape(server.httpAnnounceUri(), List.of(HASH)).get(10, TimeUnit.SECONDS))
          .containsEntry(HASH, new ScrapeStats(0, 1, 0));
    }
  }

  @Test
  void closeIsBoundedWhenTheTrackerIsGone() throws Exception {
    Events events = new Events();
    AnnounceSession s =
        AnnounceSession.builder(client, HASH, PeerId.random("-C-"))
            .tiers(List.of(List.of(server.udpAnnounceUri().toString())))
            .port(7103)
            .stats(() -> TransferStats.of(0, 0, 1))
            .listener(events)
            .stopTimeout(Duration.ofMillis(200))
            .start();
    assertThat(events.next()).isEqualTo("udp Started[]");
    server.closeAsync().join(); // stopped goes nowhere; UDP would retransmit for minutes
    // Returns after the stop timeout; without it, close would wait for minutes of retransmission.
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), s::close);
    assertThat(s.status(server.udpAnnounceUri())).isInstanceOf(TrackerStatus.Started.class);
  }
}
