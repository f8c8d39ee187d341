package org.functorrent.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.functorrent.Download;
import org.functorrent.DownloadOptions;
import org.functorrent.DownloadState;
import org.functorrent.Torrent;
import org.functorrent.TorrentClient;
import org.functorrent.TorrentListener;
import org.functorrent.metainfo.MagnetUri;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code functorrent download MAGNET} and {@code functorrent info MAGNET [--fetch]}. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MagnetCommandTest {
  @TempDir Path dir;
  private Path data;
  private MetaInfo meta;
  private TorrentClient seeder;

  private record Run(int status, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        FuncTorrentCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(status, out.toString(), err.toString());
  }

  @BeforeEach
  void makeData() throws Exception {
    data = dir.resolve("seed").resolve("share");
    Files.createDirectories(data);
    byte[] bytes = new byte[700_000];
    new Random(17).nextBytes(bytes);
    Files.write(data.resolve("a.bin"), bytes);
    meta =
        MetaInfo.parse(
            TorrentCreator.of(data).pieceLength(16384).tracker("http://127.0.0.1:9/announce")
                .create());
  }

  @AfterEach
  void closeSeeder() {
    if (seeder != null) {
      seeder.close();
    }
  }

  /** Our own seeder in this JVM, without trackers; returns its port. */
  private int seed() throws Exception {
    seeder =
        TorrentClient.builder().listenPort(0).bindAddress(InetAddress.getLoopbackAddress()).build();
    Download d =
        seeder.start(
            Torrent.of(meta)
                .withOptions(
                    DownloadOptions.defaults()
                        .withDirectory(dir.resolve("seed"))
                        .withSeed(true)
                        .withTrackers(false)),
            TorrentListener.NONE);
    assertThat(d.completion().get(1, TimeUnit.MINUTES).state()).isEqualTo(DownloadState.SEEDING);
    return seeder.listenAddress().getPort();
  }

  private String magnet() {
    return MagnetUri.of(meta.infoHash()).toUri() + "&dn=share";
  }

  @Test
  void infoShowsWhatTheMagnetSays() {
    String uri = meta.toMagnet().toUri() + "&x.pe=127.0.0.1:6881";
    Run info = run("info", uri);
    assertThat(info.status()).as(info.err()).isZero();
    assertThat(info.out())
        .contains("info_hash: " + meta.infoHash().toHex())
        .contains("name: share")
        .contains("  http://127.0.0.1:9/announce")
        .contains("peer: 127.0.0.1:6881")
        .contains("--fetch");
    Run json = run("info", "--json", uri);
    assertThat(json.status()).as(json.err()).isZero();
    assertThat(json.out())
        .contains("\"info_hash\": \"" + meta.infoHash().toHex() + "\"")
        .containsPattern("\"peers\": \\[\\s*\"127.0.0.1:6881\"\\s*\\]");
  }

  @Test
  void aBrokenMagnetGivesOneLineAndStatusOne() {
    Run info = run("info", "magnet:?xt=urn:btih:1234");
    assertThat(info.status()).isEqualTo(1);
    assertThat(info.err()).startsWith("functorrent: magnet link xt:").doesNotContain("\tat ");
    Run download = run("download", "magnet:?dn=nothing", "--port", "0");
    assertThat(download.status()).isEqualTo(1);
    assertThat(download.err().lines().count()).isEqualTo(1);
  }

  @Test
  void fileSelectionWithAMagnetIsAUsageError() {
    Run run = run("download", magnet(), "--file", "0", "--port", "0");
    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err()).contains("--file and --skip");
  }

  @Test
  void infoFetchPrintsTheMetadataAndSavesIt() throws Exception {
    int port = seed();
    Path out = dir.resolve("fetched.torrent");
    Run info =
        run("info", magnet(), "--fetch", "--port", "0", "--bind", "127.0.0.1", "--peer",
            "127.0.0.1:" + port, "-o", out.toString(), "--timeout", "60");
    assertThat(info.status()).as(info.err()).isZero();
    assertThat(info.out())
        .contains("name: share")
        .contains("info_hash: " + meta.infoHash().toHex())
        .contains("pieces: " + meta.pieceCount());
    assertThat(MetaInfo.parse(out).infoHash()).isEqualTo(meta.infoHash());
  }

  @Test
  void infoFetchGivesUpAfterItsTimeout() {
    Run info = run("info", magnet(), "--fetch", "--port", "0", "--bind", "127.0.0.1",
        "--timeout", "1");
    assertThat(info.status()).isEqualTo(1);
    assertThat(info.err()).contains("no metadata from peers within 1 s");
  }

  @Test
  void downloadAMagnetFromAPeer() throws Exception {
    int port = seed();
    Path into = dir.resolve("leech");
    Run download =
        run("download", magnet(), "--dir", into.toString(), "--port", "0", "--bind",
            "127.0.0.1", "--peer", "127.0.0.1:" + port);
    assertThat(download.status()).as(download.err()).isZero();
    assertThat(download.out())
        .contains("magnet " + meta.infoHash().toHex() + " (share): fetching the metadata")
        .contains("share: 683.6 KiB in " + meta.pieceCount() + " pieces")
        .contains("completed:");
    assertThat(Files.mismatch(into.resolve("share").resolve("a.bin"), data.resolve("a.bin")))
        .isEqualTo(-1L);
  }
}
