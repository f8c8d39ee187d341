package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.functorrent.interop.OpenTracker;
import org.functorrent.interop.Transmission;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transmission 3.00 downloads from our seeder. Transmission never dials a loopback peer, so our
 * seeder learns Transmission's address from the tracker (a forced re-announce once Transmission
 * has announced) and dials it.
 */
@Tag("interop")
class TransmissionInteropTest {
  @TempDir Path dir;

  @Test
  void transmissionDownloadsFromOurSeederThatDialsIt() throws Exception {
    // No zero-length file: Transmission does not create those.
    InteropData data =
        InteropData.write(
            dir.resolve("seed/mixed"), 11, "deep/er/one.bin", 1_234_567, "two.bin", 54_321);
    TorrentCreator creator = TorrentCreator.of(data.root()).pieceLength(32768);
    String hash = MetaInfo.parse(creator.create()).infoHash().toHex();
    Path torrentFile = dir.resolve("mixed.torrent");
    try (OpenTracker tracker = OpenTracker.start(dir.resolve("tracker"), List.of(hash));
        TorrentClient client = InteropData.loopbackClient()) {
      Files.write(torrentFile, creator.tracker(tracker.httpAnnounceUrl()).create());
      Download seeding = InteropData.seed(client, torrentFile, dir.resolve("seed"));
      tracker.awaitSwarm(hash, swarm -> swarm.complete() == 1, Duration.ofSeconds(30));
      try (Transmission transmission =
          Transmission.leech(dir.resolve("transmission"), torrentFile, dir.resolve("out"))) {
        tracker.awaitSwarm(hash, swarm -> swarm.incomplete() == 1, Duration.ofSeconds(30));
        seeding.reannounce();
        transmission.awaitDone(Duration.ofSeconds(50));
      }
      seeding.stop().get(1, TimeUnit.MINUTES);
      assertThat(seeding.stats().uploadedBytes()).isGreaterThanOrEqualTo(data.totalLength());
    }
    data.assertSameAs(dir.resolve("out/mixed"));
  }
}
