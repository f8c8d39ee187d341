package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.functorrent.interop.Libtorrent;
import org.functorrent.interop.LoopbackPorts;
import org.functorrent.interop.OpenTracker;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A swarm through opentracker: two seeders at once (libtorrent and ours) and two of our leechers,
 * each leecher in its own client with its own listen port.
 */
@Tag("interop")
class SwarmInteropTest {
  @TempDir Path dir;

  @Test
  void twoOfOurLeechersDownloadFromALibtorrentSeederAndOursAtOnce() throws Exception {
    InteropData data =
        InteropData.write(
            dir.resolve("seed/swarm"), 47, "one.bin", 3_000_017, "two/three.bin", 999_999);
    TorrentCreator creator = TorrentCreator.of(data.root()).pieceLength(32768);
    String hash = MetaInfo.parse(creator.create()).infoHash().toHex();
    Path torrentFile = dir.resolve("swarm.torrent");
    Libtorrent libtorrent = Libtorrent.in(dir.resolve("libtorrent"));
    try (OpenTracker tracker = OpenTracker.start(dir.resolve("tracker"), List.of(hash))) {
      Files.write(torrentFile, creator.tracker(tracker.httpAnnounceUrl()).create());
      try (Libtorrent.Peer ltSeeder =
              libtorrent.seed(torrentFile, dir.resolve("seed"), LoopbackPorts.free(), List.of());
          TorrentClient ourSeeder = InteropData.loopbackClient();
          TorrentClient leecher1 = InteropData.loopbackClient();
          TorrentClient leecher2 = InteropData.loopbackClient()) {
        InteropData.seed(ourSeeder, torrentFile, dir.resolve("seed"));
        tracker.awaitSwarm(hash, swarm -> swarm.complete() == 2, Duration.ofSeconds(30));
        Download first =
            leecher1.start(
                Torrent.open(torrentFile).withDirectory(dir.resolve("out1")),
                TorrentListener.NONE);
        Download second =
            leecher2.start(
                Torrent.open(torrentFile).withDirectory(dir.resolve("out2")),
                TorrentListener.NONE);
        CompletableFuture.allOf(first.completion(), second.completion()).get(1, TimeUnit.MINUTES);
        for (Download leecher : List.of(first, second)) {
          DownloadStats done = leecher.completion().join();
          assertThat(done.bytesLeft()).isZero();
          assertThat(done.piecesHave()).isEqualTo(done.pieceCount());
          assertThat(done.downloadedBytes()).isGreaterThanOrEqualTo(data.totalLength());
        }
        assertThat(ltSeeder.output()).doesNotContain("hash_failed");
      }
    }
    data.assertSameAs(dir.resolve("out1/swarm"));
    data.assertSameAs(dir.resolve("out2/swarm"));
    assertThat(libtorrent.verify(torrentFile, dir.resolve("out1")).complete()).isTrue();
    assertThat(libtorrent.verify(torrentFile, dir.resolve("out2")).complete()).isTrue();
  }
}
