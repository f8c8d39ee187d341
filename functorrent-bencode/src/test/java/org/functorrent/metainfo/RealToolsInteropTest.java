package org.functorrent.metainfo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.functorrent.interop.ExternalProcess;
import org.functorrent.interop.Libtorrent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Torrents made by real tools (libtorrent, mktorrent, transmission-create) give the info-hash
 * they give; torrents we make load in libtorrent and Transmission with our info-hash, and
 * libtorrent verifies the data against our piece hashes.
 */
@Tag("interop")
class RealToolsInteropTest {
  @TempDir Path dir;
  private Path single;
  private Path multi;
  private Libtorrent libtorrent;

  @BeforeEach
  void makeData() throws IOException {
    libtorrent = Libtorrent.in(dir.resolve("libtorrent"));
    single = dir.resolve("data/single.bin");
    Files.createDirectories(single.getParent());
    Files.write(single, random(1_000_003, 1));
    multi = dir.resolve("data/Mus\u00efque \u65e5\u672c");
    Files.createDirectories(multi.resolve("sub/d\u00e9j\u00e0 vu"));
    Files.write(multi.resolve("a.bin"), random(300_000, 2));
    Files.write(multi.resolve("sub/b.txt"), random(12_345, 3));
    Files.write(multi.resolve("sub/d\u00e9j\u00e0 vu/\u00e9t\u00e9.bin"), random(70_001, 4));
    Files.write(multi.resolve("sub/empty"), new byte[0]);
    Files.write(multi.resolve("z-last.bin"), random(1, 5));
  }

  private static byte[] random(int length, long seed) {
    byte[] data = new byte[length];
    new Random(seed).nextBytes(data);
    return data;
  }

  private void assertSameAsLibtorrent(Path torrent) {
    MetaInfo ours = MetaInfo.parse(torrent);
    Libtorrent.View theirs = libtorrent.view(torrent);
    assertThat(ours.infoHash().toHex()).as("info-hash of %s", torrent).isEqualTo(theirs.infoHash());
    assertThat(ours.files()).as("files of %s", torrent).hasSize(theirs.fileCount());
    assertThat(ours.totalLength()).as("total size of %s", torrent).isEqualTo(theirs.totalSize());
  }

  @Test
  void libtorrentV1AndHybridTorrentsGiveLibtorrentsInfoHash() throws Exception {
    for (Path data : List.of(single, multi)) {
      for (String kind : List.of("v1", "hybrid")) {
        Path torrent = dir.resolve(data.getFileName() + "-" + kind + ".torrent");
        String printedHash = libtorrent.create(data, torrent, 32768, kind.equals("hybrid"));
        assertSameAsLibtorrent(torrent);
        MetaInfo meta = MetaInfo.parse(torrent);
        assertThat(meta.infoHash().toHex()).isEqualTo(printedHash);
        assertThat(meta.isHybrid()).as("%s is hybrid", torrent).isEqualTo(kind.equals("hybrid"));
        assertThat(meta.name()).isEqualTo(data.getFileName().toString());
      }
    }
  }

  @Test
  void mktorrentTorrentsGiveLibtorrentsInfoHash() throws Exception {
    for (Path data : List.of(single, multi)) {
      Path torrent = dir.resolve(data.getFileName() + "-mktorrent.torrent");
      run(
          "mktorrent", "-a", "http://127.0.0.1:9/announce", "-l", "16", "-o", torrent.toString(),
          data.toString());
      assertSameAsLibtorrent(torrent);
      assertThat(MetaInfo.parse(torrent).createdBy()).hasValueSatisfying(
          c -> assertThat(c).startsWith("mktorrent"));
    }
  }

  @Test
  void transmissionTorrentsGiveTransmissionsAndLibtorrentsInfoHash() throws Exception {
    for (Path data : List.of(single, multi)) {
      Path torrent = dir.resolve(data.getFileName() + "-transmission.torrent");
      run(
          "transmission-create", "-o", torrent.toString(), "-t", "http://127.0.0.1:9/announce",
          "-s", "64", data.toString());
      assertSameAsLibtorrent(torrent);
      assertThat(MetaInfo.parse(torrent).infoHash().toHex())
          .isEqualTo(transmissionHash(torrent));
    }
  }

  @Test
  void ourTorrentsLoadInLibtorrentAndTransmissionAndLibtorrentVerifiesTheData() throws Exception {
    List<Path> made = new ArrayList<>();
    for (Path data : List.of(single, multi)) {
      for (int pieceLength : new int[] {16384, 262144}) {
        Path torrent = dir.resolve(data.getFileName() + "-ours-" + pieceLength + ".torrent");
        Files.write(
            torrent,
            TorrentCreator.of(data)
                .pieceLength(pieceLength)
                .tracker("http://127.0.0.1:9/announce")
                .comment("made by FuncTorrent's interop test")
                .create());
        made.add(torrent);
      }
    }
    for (Path torrent : made) {
      assertSameAsLibtorrent(torrent);
      assertThat(transmissionHash(torrent)).isEqualTo(MetaInfo.parse(torrent).infoHash().toHex());
      int pieces = MetaInfo.parse(torrent).pieceCount();
      assertThat(libtorrent.verify(torrent, dir.resolve("data")))
          .as("libtorrent's check of %s", torrent)
          .isEqualTo(new Libtorrent.Check(pieces, pieces));
    }
  }

  @Test
  void libtorrentNoticesWhenTheDataDoesNotMatchOurPieceHashes() throws Exception {
    Path torrent = dir.resolve("ours.torrent");
    Files.write(torrent, TorrentCreator.of(multi).pieceLength(16384).create());
    byte[] a = Files.readAllBytes(multi.resolve("a.bin"));
    a[100_000] ^= 1;
    Files.write(multi.resolve("a.bin"), a);
    int pieces = MetaInfo.parse(torrent).pieceCount();
    assertThat(libtorrent.verify(torrent, dir.resolve("data")))
        .isEqualTo(new Libtorrent.Check(pieces - 1, pieces));
  }

  private String run(String... command) {
    return ExternalProcess.run(List.of(command), dir, Duration.ofMinutes(2));
  }

  private String transmissionHash(Path torrent) {
    String shown = run("transmission-show", torrent.toString());
    for (String line : shown.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.startsWith("Hash: ")) {
        return trimmed.substring("Hash: ".length());
      }
    }
    throw new AssertionError("transmission-show printed no hash:\n" + shown);
  }
}
