package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.functorrent.metainfo.TorrentCreator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client runs disk work and listener calls on the application's executors and leaves them. */
class TorrentClientExecutorsTest {
  @TempDir Path dir;

  @Test
  void theApplicationsExecutorsAreUsedAndNotShutDown() throws Exception {
    byte[] data = new byte[300_000];
    new Random(5).nextBytes(data);
    Files.write(dir.resolve("file.bin"), data);
    Path torrent = dir.resolve("file.torrent");
    Files.write(torrent, TorrentCreator.of(dir.resolve("file.bin")).pieceLength(16384).create());
    ExecutorService disk = Executors.newFixedThreadPool(2, r -> new Thread(r, "app-disk"));
    ExecutorService callbacks = Executors.newFixedThreadPool(3, r -> new Thread(r, "app-callback"));
    List<String> threads = new CopyOnWriteArrayList<>();
    try {
      try (TorrentClient client =
          TorrentClient.builder()
              .listenPort(0)
              .bindAddress(InetAddress.getLoopbackAddress())
              .diskExecutor(disk)
              .callbackExecutor(callbacks)
              .build()) {
        Download seeding =
            client.start(
                Torrent.open(torrent)
                    .withOptions(DownloadOptions.defaults().withDirectory(dir).withSeed(true)),
                new TorrentListener() {
                  @Override
                  public void stateChanged(DownloadState state) {
                    threads.add(state + " on " + Thread.currentThread().getName());
                  }
                });
        assertThat(seeding.completion().get(1, TimeUnit.MINUTES).state())
            .isEqualTo(DownloadState.SEEDING);
      }
      assertThat(threads).isNotEmpty().allSatisfy(t -> assertThat(t).endsWith(" on app-callback"));
      assertThat(threads).first().isEqualTo("CHECKING on app-callback");
      assertThat(disk.isShutdown()).isFalse();
      assertThat(callbacks.isShutdown()).isFalse();
      // The pieces were checked on the application's disk pool: it has run tasks.
      assertThat(((ThreadPoolExecutor) disk).getCompletedTaskCount())
          .isPositive();
    } finally {
      disk.shutdownNow();
      callbacks.shutdownNow();
    }
  }
}
