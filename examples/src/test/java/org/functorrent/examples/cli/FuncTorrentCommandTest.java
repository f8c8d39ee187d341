package org.functorrent.examples.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.functorrent.examples.cli.CommandRun.run;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.functorrent.metainfo.MetaInfo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FuncTorrentCommandTest {
  @TempDir Path dir;
  private Path data;

  private static CommandRun runWithStdin(byte[] stdin, String... args) {
    InputStream saved = System.in;
    System.setIn(new ByteArrayInputStream(stdin));
    try {
      return run(args);
    } finally {
      System.setIn(saved);
    }
  }

  @BeforeEach
  void makeData() throws Exception {
    data = dir.resolve("share");
    Files.createDirectories(data.resolve("sub"));
    byte[] bytes = new byte[100_000];
    new Random(7).nextBytes(bytes);
    Files.write(data.resolve("a.bin"), bytes);
    Files.write(data.resolve("sub/b.txt"), "hello".getBytes(UTF_8));
  }

  @Test
  void createsATorrentThatInfoDescribes() throws Exception {
    Path torrent = dir.resolve("share.torrent");
    CommandRun created =
        run("create", data.toString(), "--tracker", "http://127.0.0.1:6969/announce",
            "--tracker", "udp://127.0.0.1:6969,http://127.0.0.1:7070/announce",
            "--piece-size", "16", "--comment", "hi", "-o", torrent.toString());
    assertThat(created.status()).as(created.err()).isZero();
    MetaInfo meta = MetaInfo.parse(torrent);
    assertThat(created.out()).contains("info_hash: " + meta.infoHash().toHex());
    assertThat(meta.pieceLength()).isEqualTo(16384);
    assertThat(meta.trackerTiers()).hasSize(2);
    assertThat(meta.trackerTiers().get(1))
        .containsExactly("udp://127.0.0.1:6969", "http://127.0.0.1:7070/announce");

    CommandRun info = run("info", torrent.toString());
    assertThat(info.status()).as(info.err()).isZero();
    assertThat(info.out())
        .contains("name: share")
        .contains("info_hash: " + meta.infoHash().toHex())
        .contains("piece length: 16384")
        .contains("pieces: 7")
        .contains("total size: 100005 (97.7 KiB)")
        .contains("  share/a.bin  100000")
        .contains("  share/sub/b.txt  5")
        .contains("  tier 0: http://127.0.0.1:6969/announce")
        .contains("  tier 1: udp://127.0.0.1:6969")
        .contains("comment: hi");
    assertThat(info.err()).isEmpty();
  }

  @Test
  void infoReadsStandardInputAndWritesJson() throws Exception {
    Path torrent = dir.resolve("share.torrent");
    assertThat(run("create", data.toString(), "-o", torrent.toString()).status()).isZero();
    String hash = MetaInfo.parse(torrent).infoHash().toHex();
    CommandRun info = runWithStdin(Files.readAllBytes(torrent), "info", "-", "--json");
    assertThat(info.status()).as(info.err()).isZero();
    assertThat(info.out())
        .startsWith("{\n")
        .contains("\"info_hash\": \"" + hash + "\"")
        .contains("\"total_size\": 100005")
        .contains("\"path\": \"share/sub/b.txt\"")
        .contains("\"magnet\": \"magnet:?xt=urn:btih:" + hash);
  }

  @Test
  void aBrokenTorrentGivesOneLineAndStatusOne() throws Exception {
    Path broken = dir.resolve("broken.torrent");
    Files.write(broken, "d4:infod4:name1:xe".getBytes(UTF_8));
    CommandRun info = run("info", broken.toString());
    assertThat(info.status()).isEqualTo(1);
    assertThat(info.err())
        .startsWith("functorrent: " + broken + ": malformed bencode at byte 18")
        .hasLineCount(1)
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    assertThat(info.out()).isEmpty();
  }

  @Test
  void anInvalidTorrentSaysWhichKey() throws Exception {
    Path invalid = dir.resolve("invalid.torrent");
    Files.write(
        invalid,
        "d4:infod6:lengthi5e4:name1:x12:piece lengthi0e6:pieces20:aaaaaaaaaaaaaaaaaaaaee"
            .getBytes(UTF_8));
    CommandRun info = runWithStdin(Files.readAllBytes(invalid), "info", "-");
    assertThat(info.status()).isEqualTo(1);
    assertThat(info.err())
        .startsWith("functorrent: standard input: ")
        .contains("info.piece length: 0 (expected: > 0)")
        .hasLineCount(1);
  }

  @Test
  void aMissingFileSaysSo() {
    CommandRun info = run("info", dir.resolve("nope.torrent").toString());
    assertThat(info.status()).isEqualTo(1);
    assertThat(info.err())
        .isEqualTo("functorrent: cannot read " + dir.resolve("nope.torrent")
            + ": no such file or directory\n");
    CommandRun create =
        run("create", dir.resolve("nothing").toString(), "-o", dir.resolve("x").toString());
    assertThat(create.status()).isEqualTo(1);
    assertThat(create.err()).contains("no such file or directory").hasLineCount(1);
    assertThat(dir.resolve("x")).doesNotExist();
  }

  @Test
  void aBadCommandLineGivesUsageHelpAndStatusTwo() {
    CommandRun badPieceSize =
        run("create", data.toString(), "--piece-size", "3", "-o", "x.torrent");
    assertThat(badPieceSize.status()).isEqualTo(1);
    assertThat(badPieceSize.err())
        .isEqualTo("functorrent: piece length: 3072 (expected: a power of two from 16384 to 67108864)\n");
    CommandRun missingOutput = run("create", data.toString());
    assertThat(missingOutput.status()).isEqualTo(2);
    assertThat(missingOutput.err()).contains("Missing required option: '--output=OUT'");
    CommandRun unknownOption = run("info", "--frobnicate");
    assertThat(unknownOption.status()).isEqualTo(2);
    assertThat(unknownOption.err()).contains("Unknown option: '--frobnicate'");
  }

  @Test
  void withoutASubcommandTheArgumentsAreADownloads() {
    CommandRun missing = run(dir.resolve("nope.torrent").toString());
    assertThat(missing.status()).isEqualTo(1);
    assertThat(missing.err()).contains("cannot read").contains("no such file or directory");
    CommandRun emptyStdin = runWithStdin(new byte[0]);
    assertThat(emptyStdin.status()).isEqualTo(1);
    assertThat(emptyStdin.err())
        .isEqualTo(
            "functorrent: standard input: malformed bencode at byte 0: unexpected end of input"
                + " (expected: a value)\n");
  }

  @Test
  void theDemoRunsAWholeSwarmOnLoopbackAndChecksEveryByte() {
    CommandRun demo = run("demo", "--size", "3", "--dir", dir.resolve("demo").toString());
    assertThat(demo.status()).as(demo.err()).isZero();
    assertThat(demo.out())
        .contains("tracker:  http://127.0.0.1:")
        .contains("seeder:   listening on /127.0.0.1:")
        .contains("done:     3.0 MiB in")
        .contains("checked:  every byte of the leecher's copy equals the seeder's");
    assertThat(dir.resolve("demo/leecher/demo-data/video.bin")).exists();
  }
}
