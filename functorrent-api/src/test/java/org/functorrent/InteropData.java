package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Test data for the interop tests: a tree of pseudo-random files, and byte-for-byte checks. */
final class InteropData {
  private final Path root;
  private final Map<String, Integer> files;

  private InteropData(Path root, Map<String, Integer> files) {
    this.root = root;
    this.files = files;
  }

  /**
   * Writes {@code pathsAndLengths} (relative path, length, ...) under {@code root}, the torrent's
   * top directory, with bytes from a generator seeded with {@code seed}.
   */
  static InteropData write(Path root, long seed, Object... pathsAndLengths) throws IOException {
    Random random = new Random(seed);
    Map<String, Integer> files = new LinkedHashMap<>();
    for (int i = 0; i < pathsAndLengths.length; i += 2) {
      String path = (String) pathsAndLengths[i];
      int length = (Integer) pathsAndLengths[i + 1];
      byte[] bytes = new byte[length];
      random.nextBytes(bytes);
      Path file = root.resolve(path);
      Files.createDirectories(file.getParent());
      Files.write(file, bytes);
      files.put(path, length);
    }
    return new InteropData(root, files);
  }

  Path root() {
    return root;
  }

  Map<String, Integer> files() {
    return files;
  }

  long totalLength() {
    return files.values().stream().mapToLong(Integer::longValue).sum();
  }

  /** Asserts that {@code copy} holds every file, byte for byte the same as the source. */
  void assertSameAs(Path copy) throws IOException {
    for (String file : files.keySet()) {
      assertThat(copy.resolve(file)).as(file).isRegularFile();
      assertThat(Files.readAllBytes(copy.resolve(file)))
          .as(file)
          .isEqualTo(Files.readAllBytes(root.resolve(file)));
    }
  }

  static TorrentClient loopbackClient() {
    return TorrentClient.builder()
        .listenPort(0)
        .bindAddress(InetAddress.getLoopbackAddress())
        .build();
  }

  /** Starts seeding {@code torrent} from {@code saveDir}; returns once every piece is checked. */
  static Download seed(TorrentClient client, Path torrent, Path saveDir) throws Exception {
    Download seeding =
        client.start(
            Torrent.open(torrent)
                .withOptions(DownloadOptions.defaults().withDirectory(saveDir).withSeed(true)),
            TorrentListener.NONE);
    DownloadStats stats = seeding.completion().get(1, TimeUnit.MINUTES);
    assertThat(stats.state()).isEqualTo(DownloadState.SEEDING);
    assertThat(stats.downloadedBytes()).isZero();
    return seeding;
  }
}
