package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.functorrent.metainfo.TorrentCreator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client's close leaves no thread behind, and a listener that throws changes nothing. */
class TorrentClientLifecycleTest {
  @TempDir Path dir;

  private static Set<Thread> clientThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("functorrent-"))
        .collect(Collectors.toSet());
  }

  @Test
  void closeLeavesNoThreadAndAThrowingListenerIsIgnored() throws Exception {
    byte[] data = new byte[200_000];
    new Random(11).nextBytes(data);
    Files.write(dir.resolve("a.bin"), data);
    Path torrent = dir.resolve("a.torrent");
    Files.write(torrent, TorrentCreator.of(dir.resolve("a.bin")).pieceLength(16384).create());
    // Other tests in this JVM may have left threads of their own; ours must all be gone.
    Set<Thread> before = clientThreads();
    for (int round = 0; round < 3; round++) {
      TorrentClient seeder =
          TorrentClient.builder().listenPort(0).bindAddress(InetAddress.getLoopbackAddress()).build();
      TorrentClient leecher =
          TorrentClient.builder().listenPort(0).bindAddress(InetAddress.getLoopbackAddress()).build();
      seeder
          .start(
              Torrent.open(torrent)
                  .withOptions(DownloadOptions.defaults().withDirectory(dir).withSeed(true)),
              TorrentListener.NONE)
          .completion()
          .get(1, TimeUnit.MINUTES);
      Download download =
          leecher.start(
              Torrent.open(torrent)
                  .withOptions(
                      DownloadOptions.defaults()
                          .withDirectory(dir.resolve("out-" + round))
                          .withPeers(List.of(seeder.listenAddress()))),
              new TorrentListener() {
                @Override
                public void pieceVerified(int piece) {
                  throw new IllegalStateException("a listener bug");
                }

                @Override
                public void stateChanged(DownloadState state) {
                  throw new AssertionError("another listener bug");
                }
              });
      assertThat(download.completion().get(1, TimeUnit.MINUTES).piecesHave()).isEqualTo(13);
      leecher.close();
      seeder.close();
      seeder.close(); // idempotent
      assertThat(Files.readAllBytes(dir.resolve("out-" + round).resolve("a.bin"))).isEqualTo(data);
    }
    Set<Thread> after = clientThreads();
    after.removeAll(before);
    assertThat(after).extracting(Thread::getName).isEmpty();
  }
}
