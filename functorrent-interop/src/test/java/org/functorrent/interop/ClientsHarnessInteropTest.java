package org.functorrent.interop;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness's qBittorrent and the tracker scrape, against libtorrent only: when a library test
 * fails, this tells whether the harness still works.
 */
@Tag("interop")
class ClientsHarnessInteropTest {
  @TempDir Path dir;

  @Test
  void qbittorrentSeedsALibtorrentLeecherDirectly() throws Exception {
    Path seedDir = dir.resolve("seed");
    Files.createDirectories(seedDir);
    byte[] data = new byte[1_500_001];
    new Random(5).nextBytes(data);
    Files.write(seedDir.resolve("payload.bin"), data);
    Libtorrent lt = Libtorrent.in(dir.resolve("lt"));
    Path torrent = dir.resolve("payload.torrent");
    String hash = lt.create(seedDir.resolve("payload.bin"), torrent, 32768, false);
    try (OpenTracker tracker = OpenTracker.start(dir.resolve("tracker"), List.of(hash));
        QBittorrent qbittorrent = QBittorrent.start(dir.resolve("qb"))) {
      assertThat(tracker.scrape(hash)).isEqualTo(new OpenTracker.Swarm(0, 0));
      // The torrent names a dead tracker; qBittorrent is given to the leecher directly.
      qbittorrent.add(torrent, seedDir);
      QBittorrent.Status status = qbittorrent.awaitComplete(Duration.ofSeconds(30));
      assertThat(status.progress()).isEqualTo(1.0);
      try (Libtorrent.Peer leecher =
          lt.leech(
              torrent,
              dir.resolve("out"),
              LoopbackPorts.free(),
              List.of(qbittorrent.address()),
              Duration.ofSeconds(40))) {
        leecher.awaitDone(Duration.ofSeconds(40));
      }
    }
    assertThat(Files.readAllBytes(dir.resolve("out/payload.bin"))).isEqualTo(data);
  }

  @Test
  void scrapeCountsASeederThatAnnounced() throws Exception {
    Path seedDir = dir.resolve("seed");
    Files.createDirectories(seedDir);
    Files.write(seedDir.resolve("small.bin"), new byte[100_000]);
    Libtorrent lt = Libtorrent.in(dir.resolve("lt"));
    Path made = dir.resolve("made.torrent");
    lt.create(seedDir.resolve("small.bin"), made, 16384, false);
    String hash = lt.view(made).infoHash();
    try (OpenTracker tracker = OpenTracker.start(dir.resolve("tracker"), List.of(hash))) {
      // Point the torrent at this tracker: same info-hash, another announce URL.
      byte[] bytes = Files.readAllBytes(made);
      String text = new String(bytes, ISO_8859_1);
      String dead = "http://127.0.0.1:9/announce";
      String live = tracker.httpAnnounceUrl();
      String retargeted =
          text.replace(dead.length() + ":" + dead, live.length() + ":" + live);
      assertThat(retargeted).isNotEqualTo(text);
      Path torrent = dir.resolve("tracked.torrent");
      Files.write(torrent, retargeted.getBytes(ISO_8859_1));
      assertThat(lt.view(torrent).infoHash()).isEqualTo(hash);
      Libtorrent.Peer seeder = lt.seed(torrent, seedDir, LoopbackPorts.free(), List.of());
      try {
        assertThat(tracker.awaitSwarm(hash, s -> s.complete() == 1, Duration.ofSeconds(20)))
            .isEqualTo(new OpenTracker.Swarm(1, 0));
      } finally {
        seeder.close();
      }
    }
  }
}
