package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.functorrent.interop.NettyLeaks;
import org.functorrent.metainfo.TorrentCreator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients started and closed many times in one JVM, downloads added, paused, resumed, removed
 * and cut off by a close: no thread, file descriptor, heap or Netty buffer is left behind. Runs
 * in a JVM of its own (the {@code lifecycle} execution in the pom) with paranoid leak detection
 * installed before the first buffer, so that every leaked buffer fails the test.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ClientLifecycleLeakTest {
  static {
    NettyLeaks.install();
  }

  private static final int CYCLES = Integer.getInteger("functorrent.lifecycle.cycles", 1000);
  private static final int PIECE = 16 * 1024;

  @TempDir static Path dir;
  private static Path torrentFile;
  private static byte[] data;
  private static TorrentClient seeder;
  private static Set<Thread> seederThreads;

  @BeforeAll
  static void seed() throws Exception {
    data = new byte[512 * 1024 + 123];
    new Random(77).nextBytes(data);
    Path seedDir = Files.createDirectories(dir.resolve("seed"));
    Files.write(seedDir.resolve("data.bin"), data);
    // The tracker is a loopback port nobody listens on: every announce fails at once.
    int deadPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort();
    }
    torrentFile = dir.resolve("data.torrent");
    Files.write(torrentFile,
        TorrentCreator.of(seedDir.resolve("data.bin")).pieceLength(PIECE)
            .tracker("http://127.0.0.1:" + deadPort + "/announce").create());
    seeder = client();
    seeder
        .start(Torrent.open(torrentFile).withOptions(
                DownloadOptions.defaults().withDirectory(seedDir).withSeed(true)),
            TorrentListener.NONE)
        .completion()
        .get(1, TimeUnit.MINUTES);
    seederThreads = clientThreads();
  }

  @AfterAll
  static void closeSeeder() {
    if (seeder != null) {
      seeder.close();
    }
  }

  private static TorrentClient client() {
    return TorrentClient.builder()
        .listenPort(0)
        .bindAddress(InetAddress.getLoopbackAddress())
        .networkThreads(1)
        .build();
  }

  private static Torrent leech(Path out) {
    return Torrent.open(torrentFile).withOptions(DownloadOptions.defaults().withDirectory(out)
        .withPeers(List.of(seeder.listenAddress())));
  }

  /** What a process holds, measured after the garbage collector ran. */
  record Footprint(int threads, long fds, long heap) {
    static Footprint now() throws IOException {
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      for (int i = 0; i < 4; i++) {
        System.gc();
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      long fds;
      try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
        fds = s.count();
      }
      return new Footprint(
          ManagementFactory.getThreadMXBean().getThreadCount(), fds,
          memory.getHeapMemoryUsage().getUsed());
    }

    @Override
    public String toString() {
      return threads + " threads, " + fds + " fds, " + heap / 1024 + " KiB heap";
    }
  }

  private static Set<Thread> clientThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("functorrent-"))
        .collect(Collectors.toSet());
  }

  /**
   * The client threads alive besides the seeder's, after giving those of just-closed clients up
   * to five seconds to end (close() returns once their executors have terminated; the threads
   * themselves may still be finishing).
   */
  private static Set<Thread> threadsBesidesTheSeeders() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      Set<Thread> left = clientThreads();
      left.removeAll(seederThreads);
      if (left.isEmpty() || System.nanoTime() > deadline) {
        return left;
      }
      Thread.sleep(10);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * One cycle: a client, a download started on it (from the seeder, with a dead tracker), a
   * close at once, after the first piece or at the end.
   */
  private static void cycle(int i, Random random) throws Exception {
    Path out = dir.resolve("cycle");
    deleteTree(out);
    TorrentClient client = client();
    try {
      CompletableFuture<Void> firstPiece = new CompletableFuture<>();
      Download d = client.start(leech(out), new TorrentListener() {
        @Override
        public void pieceVerified(int piece) {
          firstPiece.complete(null);
        }
      });
      // Most cycles close at once; one in twelve waits for a piece, for a pause and a resume, or
      // for the end of the download before closing.
      switch (random.nextInt(12)) {
        case 0 -> firstPiece.get(30, TimeUnit.SECONDS);
        case 1 -> {
          d.pause().get(30, TimeUnit.SECONDS);
          d.resume().get(30, TimeUnit.SECONDS);
        }
        case 2 -> assertThat(d.completion().get(30, TimeUnit.SECONDS).piecesHave())
            .as("cycle %s", i).isEqualTo(d.metaInfo().pieceCount());
        default -> { } // closed as soon as started
      }
    } finally {
      client.close();
    }
  }

  @Test
  void aThousandClientsStartedAndClosedLeaveNothingBehind() throws Exception {
    assertThat(NettyLeaks.active()).as("paranoid leak detection installed first").isTrue();
    Random random = new Random(1000);
    for (int i = 0; i < 20; i++) {
      cycle(i, random); // warm up: classes, pools, JIT
    }
    Footprint before = Footprint.now();
    long start = System.nanoTime();
    for (int i = 0; i < CYCLES; i++) {
      cycle(i, random);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Footprint after = Footprint.now();
    System.out.printf("%d client cycles in %.1f s; before: %s; after: %s%n", CYCLES, seconds,
        before, after);
    assertThat(threadsBesidesTheSeeders()).extracting(Thread::getName)
        .as("threads of closed clients").isEmpty();
    assertThat(after.threads()).as("threads").isLessThanOrEqualTo(before.threads() + 2);
    assertThat(after.fds()).as("open file descriptors").isLessThanOrEqualTo(before.fds() + 2);
    assertThat(after.heap()).as("heap after GC").isLessThan(before.heap() + 16L * 1024 * 1024);
    NettyLeaks.assertNoLeaks();
  }

  @Test
  void addRemovePauseResumeAndCloseMidDownloadLeakNoBuffers() throws Exception {
    assertThat(NettyLeaks.active()).isTrue();
    Footprint before = Footprint.now();
    for (int round = 0; round < 5; round++) {
      TorrentClient client = client();
      try {
        for (int t = 0; t < 3; t++) {
          Path out = dir.resolve("round-" + round + "-" + t);
          CompletableFuture<Void> firstPiece = new CompletableFuture<>();
          Download d = client.start(leech(out), new TorrentListener() {
            @Override
            public void pieceVerified(int piece) {
              firstPiece.complete(null);
            }
          });
          firstPiece.get(30, TimeUnit.SECONDS);
          for (int k = 0; k < 3; k++) {
            d.pause().get(30, TimeUnit.SECONDS);
            // PAUSED, unless the last blocks in flight completed the download meanwhile (then
            // pause() returns once the download has settled in its final state).
            assertThat(d.stats().state())
                .isIn(DownloadState.PAUSED, DownloadState.SEEDING, DownloadState.COMPLETED);
            d.resume().get(30, TimeUnit.SECONDS);
          }
          if (t == 0) {
            d.stop().get(30, TimeUnit.SECONDS); // removed mid-download (or just after)
            assertThat(client.downloads()).doesNotContain(d);
          } else if (t == 1) {
            d.completion().get(30, TimeUnit.SECONDS);
            assertThat(Files.readAllBytes(out.resolve("data.bin"))).isEqualTo(data);
            d.stop().get(30, TimeUnit.SECONDS);
          }
          // t == 2 is still running when the client closes.
        }
      } finally {
        client.close();
      }
      deleteTree(dir.resolve("round-" + round + "-0"));
      deleteTree(dir.resolve("round-" + round + "-1"));
      deleteTree(dir.resolve("round-" + round + "-2"));
    }
    Footprint after = Footprint.now();
    System.out.printf("add/pause/resume/remove/close: before: %s; after: %s%n", before, after);
    assertThat(threadsBesidesTheSeeders()).extracting(Thread::getName)
        .as("threads of closed clients").isEmpty();
    assertThat(after.fds()).isLessThanOrEqualTo(before.fds() + 2);
    NettyLeaks.assertNoLeaks();
  }

  @Test
  void theLeakDetectorInUseReportsALeakedBuffer() {
    assertThat(NettyLeaks.active()).isTrue();
    NettyLeaks.assertNoLeaks(); // nothing pending from other tests
    leakOne();
    assertThat(NettyLeaks.leaksOf(() -> PooledByteBufAllocator.DEFAULT.buffer(16).release(),
            type -> type.contains("ByteBuf")))
        .isNotEmpty();
  }

  private static void leakOne() {
    ByteBuf leaked = PooledByteBufAllocator.DEFAULT.buffer(32);
    leaked.writeInt(1); // never released
  }
}
