package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.functorrent.interop.Aria2;
import org.functorrent.interop.Libtorrent;
import org.functorrent.interop.LoopbackPorts;
import org.functorrent.interop.OpenTracker;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The other direction: we seed, and real leechers (libtorrent, aria2) download from us. */
@Tag("interop")
class RealLeechersInteropTest {
  @TempDir Path dir;
  private Path seedDir;
  private Path data;
  private Libtorrent libtorrent;

  @BeforeEach
  void makeData() throws Exception {
    seedDir = dir.resolve("seed");
    data = seedDir.resolve("set");
    Files.createDirectories(data.resolve("a/b"));
    Random random = new Random(7);
    for (String[] file :
        new String[][] {{"a/b/one.bin", "2500000"}, {"a/zero", "0"}, {"two.bin", "65537"}}) {
      byte[] bytes = new byte[Integer.parseInt(file[1])];
      random.nextBytes(bytes);
      Files.write(data.resolve(file[0]), bytes);
    }
    libtorrent = Libtorrent.in(dir.resolve("libtorrent"));
  }

  private TorrentClient client() {
    return InteropData.loopbackClient();
  }

  private Download seed(TorrentClient client, Path torrentFile) throws Exception {
    return InteropData.seed(client, torrentFile, seedDir);
  }

  private void assertSameData(Path out) throws Exception {
    for (String file : List.of("a/b/one.bin", "a/zero", "two.bin")) {
      assertThat(Files.readAllBytes(out.resolve("set").resolve(file)))
          .as(file)
          .isEqualTo(Files.readAllBytes(data.resolve(file)));
    }
  }

  @Test
  void libtorrentDownloadsFromUsDirectly() throws Exception {
    Path torrentFile = dir.resolve("set.torrent");
    Files.write(torrentFile, TorrentCreator.of(data).pieceLength(32768).create());
    try (TorrentClient client = client()) {
      Download seeding = seed(client, torrentFile);
      try (Libtorrent.Peer leecher =
          libtorrent.leech(
              torrentFile,
              dir.resolve("out"),
              LoopbackPorts.free(),
              List.of(client.listenAddress()),
              Duration.ofMinutes(2))) {
        leecher.awaitDone(Duration.ofMinutes(2));
      }
      seeding.stop().get(1, TimeUnit.MINUTES);
      assertThat(seeding.stats().state()).isEqualTo(DownloadState.STOPPED);
      assertThat(seeding.stats().uploadedBytes())
          .isGreaterThanOrEqualTo(MetaInfo.parse(torrentFile).totalLength());
    }
    assertSameData(dir.resolve("out"));
  }

  @Test
  void aria2FindsUsThroughOpentrackerAndDownloads() throws Exception {
    TorrentCreator creator = TorrentCreator.of(data).pieceLength(65536);
    String hash = MetaInfo.parse(creator.create()).infoHash().toHex();
    Path torrentFile = dir.resolve("aria2.torrent");
    try (OpenTracker tracker = OpenTracker.start(dir.resolve("tracker"), List.of(hash));
        TorrentClient client = client()) {
      Files.write(torrentFile, creator.tracker(tracker.httpAnnounceUrl()).create());
      Download seeding = seed(client, torrentFile);
      Files.createDirectories(dir.resolve("aria2"));
      Aria2.leech(torrentFile, dir.resolve("aria2"), LoopbackPorts.free(), Duration.ofMinutes(2));
      seeding.stop().get(1, TimeUnit.MINUTES);
      assertThat(seeding.stats().uploadedBytes())
          .isGreaterThanOrEqualTo(MetaInfo.parse(torrentFile).totalLength());
    }
    assertSameData(dir.resolve("aria2"));
  }

  @Test
  void libtorrentFindsUsThroughOpentrackerAndDownloads() throws Exception {
    TorrentCreator creator = TorrentCreator.of(data).pieceLength(16384);
    String hash = MetaInfo.parse(creator.create()).infoHash().toHex();
    Path torrentFile = dir.resolve("tracked.torrent");
    try (OpenTracker tracker = OpenTracker.start(dir.resolve("tracker"), List.of(hash));
        TorrentClient client = client()) {
      Files.write(torrentFile, creator.tracker(tracker.httpAnnounceUrl()).create());
      seed(client, torrentFile);
      try (Libtorrent.Peer leecher =
          libtorrent.leech(
              torrentFile, dir.resolve("out"), LoopbackPorts.free(), List.of(),
              Duration.ofMinutes(2))) {
        leecher.awaitDone(Duration.ofMinutes(2));
      }
    }
    assertSameData(dir.resolve("out"));
  }
}
