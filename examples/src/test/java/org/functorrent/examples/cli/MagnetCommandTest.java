package org.functorrent.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.functorrent.examples.cli.CommandRun.run;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.functorrent.metainfo.MagnetUri;
import org.functorrent.metainfo.MetaInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code functorrent download MAGNET} and {@code functorrent info MAGNET [--fetch]}. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MagnetCommandTest {
  @TempDir Path dir;
  private OneFileSeeder seeder;
  private MetaInfo meta;

  @BeforeEach
  void makeData() throws Exception {
    seeder = OneFileSeeder.create(dir.resolve("seed"), 700_000, 17, "http://127.0.0.1:9/announce");
    meta = seeder.meta();
  }

  @AfterEach
  void closeSeeder() {
    seeder.close();
  }

  /** Our own seeder in this JVM, without trackers; returns its port. */
  private int seed() throws Exception {
    return seeder.seed(OneFileSeeder.loopbackClient()).listenAddress().getPort();
  }

  private String magnet() {
    return MagnetUri.of(meta.infoHash()).toUri() + "&dn=share";
  }

  @Test
  void infoShowsWhatTheMagnetSays() {
    String uri = meta.toMagnet().toUri() + "&x.pe=127.0.0.1:6881";
    CommandRun info = run("info", uri);
    assertThat(info.status()).as(info.err()).isZero();
    assertThat(info.out())
        .contains("info_hash: " + meta.infoHash().toHex())
        .contains("name: share")
        .contains("  http://127.0.0.1:9/announce")
        .contains("peer: 127.0.0.1:6881")
        .contains("--fetch");
    CommandRun json = run("info", "--json", uri);
    assertThat(json.status()).as(json.err()).isZero();
    assertThat(json.out())
        .contains("\"info_hash\": \"" + meta.infoHash().toHex() + "\"")
        .containsPattern("\"peers\": \\[\\s*\"127.0.0.1:6881\"\\s*\\]");
  }

  @Test
  void aBrokenMagnetGivesOneLineAndStatusOne() {
    CommandRun info = run("info", "magnet:?xt=urn:btih:1234");
    assertThat(info.status()).isEqualTo(1);
    assertThat(info.err()).startsWith("functorrent: magnet link xt:").doesNotContain("\tat ");
    CommandRun download = run("download", "magnet:?dn=nothing", "--port", "0");
    assertThat(download.status()).isEqualTo(1);
    assertThat(download.err().lines().count()).isEqualTo(1);
  }

  @Test
  void fileSelectionWithAMagnetIsAUsageError() {
    CommandRun run = run("download", magnet(), "--file", "0", "--port", "0");
    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err()).contains("--file and --skip");
  }

  @Test
  void infoFetchPrintsTheMetadataAndSavesIt() throws Exception {
    int port = seed();
    Path out = dir.resolve("fetched.torrent");
    CommandRun info =
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
    CommandRun info = run("info", magnet(), "--fetch", "--port", "0", "--bind", "127.0.0.1",
        "--timeout", "1");
    assertThat(info.status()).isEqualTo(1);
    assertThat(info.err()).contains("no metadata from peers within 1 s");
  }

  @Test
  void downloadAMagnetFromAPeer() throws Exception {
    int port = seed();
    Path into = dir.resolve("leech");
    CommandRun download =
        run("download", magnet(), "--dir", into.toString(), "--port", "0", "--bind",
            "127.0.0.1", "--peer", "127.0.0.1:" + port);
    assertThat(download.status()).as(download.err()).isZero();
    assertThat(download.out())
        .contains("magnet " + meta.infoHash().toHex() + " (share): fetching the metadata")
        .contains("share: 683.6 KiB in " + meta.pieceCount() + " pieces")
        .contains("completed:");
    seeder.assertDownloadedInto(into);
  }
}
