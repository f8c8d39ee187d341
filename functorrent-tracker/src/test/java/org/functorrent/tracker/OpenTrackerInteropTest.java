package org.functorrent.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.functorrent.interop.OpenTracker;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our client against the real opentracker on loopback, over HTTP and UDP. */
@Tag("interop")
class OpenTrackerInteropTest {
  private static final InfoHash HTTP_HASH =
      InfoHash.fromHex("0102030405060708090a0b0c0d0e0f1011121314");
  private static final InfoHash UDP_HASH =
      InfoHash.fromHex("25262728292a2b2c2d2e2f303132333435363738");
  private static final InfoHash SESSION_HASH =
      InfoHash.fromHex("fedcba9876543210fedcba9876543210fedcba98");

  private static EventLoopGroup group;
  private static TrackerClient client;
  private static Path workDir;
  private static OpenTracker tracker;

  @BeforeAll
  static void start() throws Exception {
    workDir = Files.createTempDirectory("functorrent-opentracker");
    tracker =
        OpenTracker.start(
            workDir, Stream.of(HTTP_HASH, UDP_HASH, SESSION_HASH).map(InfoHash::toHex).toList());
    group = Groups.newGroup();
    client =
        TrackerClient.builder(group)
            .udpLocalAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.closeAsync().join();
    }
    if (group != null) {
      Groups.shutdown(group);
    }
    if (tracker != null) {
      tracker.close();
    }
    if (workDir != null) {
      try (Stream<Path> files = Files.walk(workDir)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  private static AnnounceResponse announce(
      URI uri, InfoHash h, PeerId id, int port, long left, AnnounceEvent event) throws Exception {
    return client
        .announce(
            uri, AnnounceRequest.of(h, id, port, TransferStats.of(0, 0, left)).withEvent(event))
        .get(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "udp"})
  void announceSeeEachOtherScrapeAndStop(String scheme) throws Exception {
    URI uri = scheme.equals("http") ? URI.create(tracker.httpAnnounceUrl()) : URI.create(tracker.udpAnnounceUrl());
    InfoHash h = scheme.equals("http") ? HTTP_HASH : UDP_HASH;
    PeerId a = PeerId.random("-FJ0100-");
    PeerId b = PeerId.random("-FJ0100-");
    InetSocketAddress addressA = new InetSocketAddress("127.0.0.1", 40001);
    InetSocketAddress addressB = new InetSocketAddress("127.0.0.1", 40002);

    AnnounceResponse first = announce(uri, h, a, 40001, 1000, AnnounceEvent.STARTED);
    assertThat(first.interval()).isPositive();
    assertThat(first.peers()).doesNotContain(addressB);

    AnnounceResponse second = announce(uri, h, b, 40002, 0, AnnounceEvent.STARTED);
    assertThat(second.peers()).contains(addressA);
    assertThat(second.seeders()).hasValue(1);
    assertThat(second.leechers()).hasValue(1);

    AnnounceResponse again = announce(uri, h, a, 40001, 1000, AnnounceEvent.NONE);
    assertThat(again.peers()).contains(addressB);

    ScrapeStats stats = client.scrape(uri, List.of(h)).get(10, TimeUnit.SECONDS).get(h);
    assertThat(stats.seeders()).isEqualTo(1);
    assertThat(stats.leechers()).isEqualTo(1);

    announce(uri, h, a, 40001, 1000, AnnounceEvent.STOPPED);
    AnnounceResponse afterStop = announce(uri, h, b, 40002, 0, AnnounceEvent.NONE);
    assertThat(afterStop.peers()).doesNotContain(addressA);
    stats = client.scrape(uri, List.of(h)).get(10, TimeUnit.SECONDS).get(h);
    assertThat(stats.leechers()).isZero();
    assertThat(stats.seeders()).isEqualTo(1);
    announce(uri, h, b, 40002, 0, AnnounceEvent.STOPPED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "udp"})
  void aHashNotOnTheWhitelistIsATrackerFailure(String scheme) throws Exception {
    URI uri = scheme.equals("http") ? URI.create(tracker.httpAnnounceUrl()) : URI.create(tracker.udpAnnounceUrl());
    InfoHash h = InfoHash.fromHex("00000000000000000000000000000000000000ff");
    try {
      announce(uri, h, PeerId.random("-FJ0100-"), 40003, 1, AnnounceEvent.STARTED);
      throw new AssertionError("opentracker accepted a hash that is not on its whitelist");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(TrackerException.class);
      // HTTP: a failure reason; UDP: opentracker sends just the 8-byte header, no error action
      assertThat(((TrackerException) e.getCause()).reason())
          .isEqualTo(
              scheme.equals("http")
                  ? "failure reason: Requested download is not authorized for use with this"
                      + " tracker."
                  : "announce refused: empty response (the tracker does not serve this"
                      + " info-hash)");
    }
  }

  @Test
  void sessionOverBothProtocols() throws Exception {
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    TrackerListener listener =
        new TrackerListener() {
          @Override
          public void statusChanged(URI t, TrackerStatus status) {
            events.add(t.getScheme() + " " + status);
          }
        };
    AnnounceSession udp =
        AnnounceSession.builder(client, SESSION_HASH, PeerId.random("-FJ0100-"))
            .tiers(List.of(List.of(URI.create(tracker.udpAnnounceUrl()).toString())))
            .port(40010)
            .stats(() -> TransferStats.of(0, 0, 5))
            .listener(listener)
            .start();
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("udp Started[]");
    BlockingQueue<InetSocketAddress> peers = new LinkedBlockingQueue<>();
    AnnounceSession http =
        AnnounceSession.builder(client, SESSION_HASH, PeerId.random("-FJ0100-"))
            .tiers(List.of(List.of(URI.create(tracker.httpAnnounceUrl()).toString())))
            .port(40011)
            .stats(() -> TransferStats.of(0, 0, 0))
            .listener(
                new TrackerListener() {
                  @Override
                  public void statusChanged(URI t, TrackerStatus status) {
                    listener.statusChanged(t, status);
                  }

                  @Override
                  public void peersDiscovered(URI t, List<InetSocketAddress> found) {
                    peers.addAll(found);
                  }
                })
            .start();
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("http Started[]");
    assertThat(peers.poll(10, TimeUnit.SECONDS))
        .isIn(new InetSocketAddress("127.0.0.1", 40010), new InetSocketAddress("127.0.0.1", 40011));
    udp.close();
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("udp None[]");
    http.close();
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("http None[]");
    ScrapeStats after =
        client
            .scrape(URI.create(tracker.httpAnnounceUrl()), List.of(SESSION_HASH))
            .get(10, TimeUnit.SECONDS)
            .get(SESSION_HASH);
    assertThat(after).isEqualTo(new ScrapeStats(0, after.completed(), 0));
  }
}
