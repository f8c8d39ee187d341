package org.functorrent.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.functorrent.interop.Aria2;
import org.functorrent.interop.Libtorrent;
import org.functorrent.interop.LoopbackPorts;
import org.functorrent.metainfo.TorrentCreator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients find each other through our embeddable tracker and complete a download: a
 * libtorrent seeder with an aria2 leecher over HTTP, and with a libtorrent leecher over UDP.
 */
@Tag("interop")
class RealClientsThroughOurTrackerInteropTest {
  @TempDir Path dir;
  private EventLoopGroup group;
  private TrackerServer server;
  private Path seedDir;
  private byte[] data;
  private Libtorrent libtorrent;

  @BeforeEach
  void start() throws Exception {
    group = Groups.newGroup();
    server = TrackerServer.start(group, InetAddress.getLoopbackAddress(), 0);
    seedDir = Files.createDirectories(dir.resolve("seed"));
    data = new byte[2 * 1024 * 1024 + 4321];
    new Random(9).nextBytes(data);
    Files.write(seedDir.resolve("payload.bin"), data);
    libtorrent = Libtorrent.in(dir.resolve("libtorrent"));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    Groups.shutdown(group);
  }

  private Path torrent(String announce) throws Exception {
    Path torrent = dir.resolve("payload.torrent");
    Files.write(
        torrent,
        TorrentCreator.of(seedDir.resolve("payload.bin"))
            .pieceLength(32768)
            .tracker(announce)
            .create());
    return torrent;
  }

  @Test
  void aria2DownloadsFromLibtorrentThroughOurHttpTracker() throws Exception {
    Path torrent = torrent(server.httpAnnounceUri().toString());
    Path out = Files.createDirectories(dir.resolve("aria2"));
    try (Libtorrent.Peer seeder = libtorrent.seed(torrent, seedDir, LoopbackPorts.free(), List.of())) {
      Aria2.leech(torrent, out, LoopbackPorts.free(), Duration.ofMinutes(2));
      assertThat(seeder.output()).doesNotContain("tracker_error_alert");
    }
    assertThat(Files.readAllBytes(out.resolve("payload.bin"))).isEqualTo(data);
  }

  @Test
  void libtorrentDownloadsFromLibtorrentThroughOurUdpTracker() throws Exception {
    Path torrent = torrent(server.udpAnnounceUri().toString());
    try (Libtorrent.Peer seeder = libtorrent.seed(torrent, seedDir, LoopbackPorts.free(), List.of());
        Libtorrent.Peer leecher =
            libtorrent.leech(
                torrent, dir.resolve("lt"), LoopbackPorts.free(), List.of(),
                Duration.ofMinutes(2))) {
      leecher.awaitDone(Duration.ofMinutes(2));
      assertThat(seeder.output()).doesNotContain("tracker_error_alert");
    }
    assertThat(Files.readAllBytes(dir.resolve("lt/payload.bin"))).isEqualTo(data);
  }
}
