package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.functorrent.interop.OpenTracker;
import org.functorrent.interop.QBittorrent;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** qBittorrent 4.5 in both directions, each finding the other through opentracker. */
@Tag("interop")
class QBittorrentInteropTest {
  @TempDir Path dir;
  private InteropData data;

  @BeforeEach
  void makeData() throws Exception {
    data =
        InteropData.write(
            dir.resolve("seed/qb"),
            23,
            "big.bin", 2_345_679,
            "sub/dir/small.bin", 4_097,
            "sub/empty", 0);
  }

  @Test
  void qbittorrentDownloadsFromOurSeeder() throws Exception {
    TorrentCreator creator = TorrentCreator.of(data.root()).pieceLength(65536);
    String hash = MetaInfo.parse(creator.create()).infoHash().toHex();
    Path torrentFile = dir.resolve("qb.torrent");
    try (OpenTracker tracker = OpenTracker.start(dir.resolve("tracker"), List.of(hash));
        TorrentClient client = InteropData.loopbackClient()) {
      Files.write(torrentFile, creator.tracker(tracker.httpAnnounceUrl()).create());
      Download seeding = InteropData.seed(client, torrentFile, dir.resolve("seed"));
      tracker.awaitSwarm(hash, swarm -> swarm.complete() == 1, Duration.ofSeconds(30));
      try (QBittorrent qbittorrent = QBittorrent.start(dir.resolve("qbittorrent"))) {
        qbittorrent.add(torrentFile, dir.resolve("out"));
        qbittorrent.awaitComplete(Duration.ofSeconds(40));
      }
      seeding.stop().get(1, TimeUnit.MINUTES);
      assertThat(seeding.stats().uploadedBytes()).isGreaterThanOrEqualTo(data.totalLength());
    }
    data.assertSameAs(dir.resolve("out/qb"));
  }

  @Test
  void weDownloadFromAQbittorrentSeeder() throws Exception {
    TorrentCreator creator = TorrentCreator.of(data.root()).pieceLength(32768);
    String hash = MetaInfo.parse(creator.create()).infoHash().toHex();
    Path torrentFile = dir.resolve("qb.torrent");
    try (OpenTracker tracker = OpenTracker.start(dir.resolve("tracker"), List.of(hash));
        QBittorrent qbittorrent = QBittorrent.start(dir.resolve("qbittorrent"))) {
      Files.write(torrentFile, creator.tracker(tracker.httpAnnounceUrl()).create());
      qbittorrent.add(torrentFile, dir.resolve("seed"));
      qbittorrent.awaitComplete(Duration.ofSeconds(30));
      tracker.awaitSwarm(hash, swarm -> swarm.complete() == 1, Duration.ofSeconds(30));
      try (TorrentClient client = InteropData.loopbackClient()) {
        Download download =
            client.start(Torrent.open(torrentFile).withDirectory(dir.resolve("out")),
                TorrentListener.NONE);
        DownloadStats done = download.completion().get(40, TimeUnit.SECONDS);
        assertThat(done.bytesLeft()).isZero();
        assertThat(done.downloadedBytes()).isGreaterThanOrEqualTo(data.totalLength());
      }
    }
    data.assertSameAs(dir.resolve("out/qb"));
  }
}
