package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.functorrent.interop.Libtorrent;
import org.functorrent.interop.LoopbackPorts;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A multi-file torrent whose files cross piece boundaries at odd places: no size is a multiple of
 * the piece length, one file is empty, one is smaller than a piece, and the directories nest.
 * Both directions with libtorrent, each with the torrent made by the other side's creator.
 */
@Tag("interop")
class MultiFileInteropTest {
  private static final int PIECE = 65536;

  @TempDir Path dir;
  private InteropData data;
  private Libtorrent libtorrent;

  @BeforeEach
  void makeData() throws Exception {
    data =
        InteropData.write(
            dir.resolve("seed/odd"),
            31,
            "a.bin", 100_001,
            "empty.txt", 0,
            "nested/c.bin", 16_383,
            "nested/deeper/still/b.bin", 1_048_577,
            "nested/deeper/tiny", 1,
            "z.bin", 777_777);
    libtorrent = Libtorrent.in(dir.resolve("libtorrent"));
  }

  @Test
  void weDownloadATorrentMadeBylibtorrentFromALibtorrentSeeder() throws Exception {
    Path torrentFile = dir.resolve("lt.torrent");
    String hash = libtorrent.create(data.root(), torrentFile, PIECE, false);
    MetaInfo meta = MetaInfo.parse(torrentFile);
    assertThat(meta.infoHash().toHex()).isEqualTo(hash);
    assertThat(meta.totalLength() % PIECE).isNotZero();
    try (Libtorrent.Peer seeder =
            libtorrent.seed(torrentFile, dir.resolve("seed"), LoopbackPorts.free(), List.of());
        TorrentClient client = InteropData.loopbackClient()) {
      // libtorrent's creator names a dead tracker: use the seeder directly.
      Download download =
          client.start(
              Torrent.open(torrentFile)
                  .withOptions(
                      DownloadOptions.defaults()
                          .withDirectory(dir.resolve("out"))
                          .withTrackers(false)
                          .withPeers(List.of(seeder.address()))),
              TorrentListener.NONE);
      DownloadStats done = download.completion().get(1, TimeUnit.MINUTES);
      assertThat(done.bytesLeft()).isZero();
      assertThat(done.piecesHave()).isEqualTo(meta.pieceCount());
      assertThat(seeder.output()).doesNotContain("hash_failed");
    }
    data.assertSameAs(dir.resolve("out/odd"));
    assertThat(libtorrent.verify(torrentFile, dir.resolve("out")).complete()).isTrue();
  }

  @Test
  void libtorrentDownloadsATorrentMadeByUsFromOurSeeder() throws Exception {
    Path torrentFile = dir.resolve("ours.torrent");
    Files.write(torrentFile, TorrentCreator.of(data.root()).pieceLength(PIECE).create());
    Libtorrent.View view = libtorrent.view(torrentFile);
    assertThat(view.fileCount()).isEqualTo(data.files().size());
    assertThat(view.totalSize()).isEqualTo(data.totalLength());
    try (TorrentClient client = InteropData.loopbackClient()) {
      Download seeding = InteropData.seed(client, torrentFile, dir.resolve("seed"));
      try (Libtorrent.Peer leecher =
          libtorrent.leech(
              torrentFile,
              dir.resolve("out"),
              LoopbackPorts.free(),
              List.of(client.listenAddress()),
              Duration.ofSeconds(50))) {
        leecher.awaitDone(Duration.ofSeconds(50));
      }
      seeding.stop().get(1, TimeUnit.MINUTES);
      assertThat(seeding.stats().uploadedBytes()).isGreaterThanOrEqualTo(data.totalLength());
    }
    data.assertSameAs(dir.resolve("out/odd"));
  }
}
