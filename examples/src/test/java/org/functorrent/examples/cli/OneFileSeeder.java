package org.functorrent.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;

/**
 * A torrent of one file, {@code share/a.bin} of seeded random bytes in a seed directory, and our
 * own seeder of it in this JVM (on 127.0.0.1, announcing to no tracker), for the command tests.
 */
final class OneFileSeeder {
  private final Path seedDir;
  private final MetaInfo meta;
  private TorrentClient client;

  private OneFileSeeder(Path seedDir, MetaInfo meta) {
    this.seedDir = seedDir;
    this.meta = meta;
  }

  /**
   * Writes {@code size} bytes from {@code new Random(randomSeed)} to {@code seedDir/share/a.bin}
   * and makes its torrent (16 KiB pieces) naming {@code trackers}, one tier each.
   */
  static OneFileSeeder create(Path seedDir, int size, long randomSeed, String... trackers)
      throws Exception {
    Path data = seedDir.resolve("share");
    Files.createDirectories(data);
    byte[] bytes = new byte[size];
    new Random(randomSeed).nextBytes(bytes);
    Files.write(data.resolve("a.bin"), bytes);
    TorrentCreator creator = TorrentCreator.of(data).pieceLength(16384);
    for (String tracker : trackers) {
      creator = creator.tracker(tracker);
    }
    return new OneFileSeeder(seedDir, MetaInfo.parse(creator.create()));
  }

  MetaInfo meta() {
    return meta;
  }

  /** The file that is seeded. */
  Path file() {
    return seedDir.resolve("share").resolve("a.bin");
  }

  /** A builder of the seeder's client: on 127.0.0.1, any port. */
  static TorrentClient.Builder loopbackClient() {
    return TorrentClient.builder().listenPort(0).bindAddress(InetAddress.getLoopbackAddress());
  }

  /**
   * Starts seeding in the client that {@code builder} builds (closed by {@link #close()}) and
   * waits until it seeds; returns the client.
   */
  TorrentClient seed(TorrentClient.Builder builder) throws Exception {
    client = builder.build();
    Download d =
        client.start(
            Torrent.of(meta)
                .withOptions(
                    DownloadOptions.defaults()
                        .withDirectory(seedDir)
                        .withSeed(true)
                        .withTrackers(false)),
            TorrentListener.NONE);
    assertThat(d.completion().get(1, TimeUnit.MINUTES).state()).isEqualTo(DownloadState.SEEDING);
    return client;
  }

  /** Asserts that {@code into} holds a whole copy of the seeded file. */
  void assertDownloadedInto(Path into) throws Exception {
    assertThat(Files.mismatch(into.resolve("share").resolve("a.bin"), file())).isEqualTo(-1L);
  }

  /** Closes the seeder's client, if it was started. */
  void close() {
    if (client != null) {
      client.close();
    }
  }
}
