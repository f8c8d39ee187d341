package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.functorrent.interop.Libtorrent;
import org.functorrent.interop.LoopbackPorts;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.functorrent.metainfo.TorrentFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resumed download: about half of the data is already in the download directory, and only the
 * rest comes from a libtorrent seeder, as the download's statistics show.
 */
@Tag("interop")
class ResumeInteropTest {
  private static final int PIECE = 65536;
  /** Pieces a client may fetch again beyond the missing ones (end-game duplicates and the like). */
  private static final int SLACK_PIECES = 3;

  @TempDir Path dir;
  private Libtorrent libtorrent;

  @BeforeEach
  void setUp() {
    libtorrent = Libtorrent.in(dir.resolve("libtorrent"));
  }

  /**
   * Downloads {@code torrentFile} into {@code out}, whose first {@code presentBytes} bytes of the
   * torrent are already there, from a libtorrent seeder of {@code seedDir}; checks what moved.
   */
  private void resume(Path torrentFile, Path seedDir, Path out, long presentBytes)
      throws Exception {
    MetaInfo meta = MetaInfo.parse(torrentFile);
    long total = meta.totalLength();
    long missing = total - presentBytes;
    long piecesPresent = presentBytes / PIECE;
    assertThat(missing).isPositive();
    assertThat(piecesPresent).isPositive();
    try (Libtorrent.Peer seeder =
            libtorrent.seed(torrentFile, seedDir, LoopbackPorts.free(), List.of());
        TorrentClient client = InteropData.loopbackClient()) {
      Download download =
          client.start(
              Torrent.open(torrentFile)
                  .withOptions(
                      DownloadOptions.defaults()
                          .withDirectory(out)
                          .withTrackers(false)
                          .withPeers(List.of(seeder.address()))),
              TorrentListener.NONE);
      DownloadStats done = download.completion().get(1, TimeUnit.MINUTES);
      assertThat(done.bytesLeft()).isZero();
      assertThat(done.piecesHave()).isEqualTo(meta.pieceCount());
      // Every piece not wholly present had to come from the seeder ...
      assertThat(done.downloadedBytes()).isGreaterThanOrEqualTo(total - piecesPresent * PIECE);
      // ... and little more than that: the data already there was not fetched again.
      assertThat(done.downloadedBytes()).isLessThanOrEqualTo(missing + SLACK_PIECES * PIECE);
    }
    assertThat(libtorrent.verify(torrentFile, out).complete()).isTrue();
  }

  @Test
  void resumesASingleFileWhoseFirstHalfIsThere() throws Exception {
    Path seedDir = dir.resolve("seed");
    InteropData data = InteropData.write(seedDir, 59, "movie.bin", 4_000_037);
    Path torrentFile = dir.resolve("movie.torrent");
    Files.write(torrentFile, TorrentCreator.of(seedDir.resolve("movie.bin")).pieceLength(PIECE)
        .create());
    byte[] source = Files.readAllBytes(seedDir.resolve("movie.bin"));
    int half = source.length / 2;
    Path out = dir.resolve("out");
    Files.createDirectories(out);
    Files.write(out.resolve("movie.bin"), Arrays.copyOf(source, half));

    resume(torrentFile, seedDir, out, half);
    data.assertSameAs(out);
  }

  @Test
  void resumesAMultiFileTorrentWhoseFirstFilesAreThere() throws Exception {
    InteropData data =
        InteropData.write(
            dir.resolve("seed/album"),
            61,
            "1-intro.bin", 1_100_003,
            "2-middle/part.bin", 900_001,
            "3-end/a.bin", 1_234_567,
            "3-end/b.bin", 765_431);
    Path torrentFile = dir.resolve("album.torrent");
    Files.write(torrentFile, TorrentCreator.of(data.root()).pieceLength(PIECE).create());
    MetaInfo meta = MetaInfo.parse(torrentFile);
    Path out = dir.resolve("out");
    // Copy whole files, in the torrent's order, while they make up no more than half of it.
    long present = 0;
    for (TorrentFile file : meta.files()) {
      if (present + file.length() > meta.totalLength() / 2) {
        break;
      }
      // A file's path starts with the torrent's name, the top directory.
      Path target = out.resolve(file.pathString());
      Files.createDirectories(target.getParent());
      Files.copy(dir.resolve("seed").resolve(file.pathString()), target);
      present += file.length();
    }

    assertThat(present).isPositive();
    resume(torrentFile, dir.resolve("seed"), out, present);
    data.assertSameAs(out.resolve("album"));
  }
}
