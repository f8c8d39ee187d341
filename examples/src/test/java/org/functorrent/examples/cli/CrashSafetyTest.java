package org.functorrent.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.functorrent.metainfo.TorrentCreator;
import org.functorrent.peer.PeerClient;
import org.functorrent.peer.PeerOptions;
import org.functorrent.peer.PieceStore;
import org.functorrent.peer.Swarm;
import org.functorrent.peer.SwarmListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code functorrent} program killed with SIGKILL at random moments of a download from a
 * rate-limited seeder in this JVM, and started again each time: it finishes with the right
 * bytes; every piece that was whole on disk at a kill is found again at the restart and never
 * fetched again; what is fetched again is only pieces that were in flight at a kill.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class CrashSafetyTest {
  private static final int PIECE = 64 * 1024;
  private static final int BLOCK = 16 * 1024;
  private static final int KILLS = 4;
  private static final int LIMIT_KIB = 2048;
  private static final Pattern ON_DISK = Pattern.compile("(\\d+) of (\\d+) pieces on disk");

  @TempDir Path dir;

  /** Serves {@code data} one block at a time, a few milliseconds apart; records what it served. */
  static final class SlowStore implements PieceStore {
    final byte[] data;
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final AtomicLong nextFree = new AtomicLong();
    final AtomicReference<Set<Integer>> served =
        new AtomicReference<>(ConcurrentHashMap.newKeySet());
    final long nanosPerBlock;

    SlowStore(byte[] data, long nanosPerBlock) {
      this.data = data;
      this.nanosPerBlock = nanosPerBlock;
    }

    /** Starts a new record of served pieces; returns the last one. */
    Set<Integer> newRun() {
      return served.getAndSet(ConcurrentHashMap.newKeySet());
    }

    /** Pieces from this one on are served {@link #lateNanos} later than the others. */
    volatile int firstLate = Integer.MAX_VALUE;
    volatile long lateNanos;

    @Override
    public CompletableFuture<ByteBuf> readBlock(int piece, int offset, int length) {
      served.get().add(piece);
      long now = System.nanoTime();
      long at = nextFree.accumulateAndGet(now, (prev, n) -> Math.max(prev, n) + nanosPerBlock)
          + (piece >= firstLate ? lateNanos : 0);
      CompletableFuture<ByteBuf> f = new CompletableFuture<>();
      int start = piece * PIECE + offset;
      timer.schedule(
          () -> f.complete(Unpooled.wrappedBuffer(Arrays.copyOfRange(data, start, start + length))),
          at - now, TimeUnit.NANOSECONDS);
      return f;
    }

    @Override
    public CompletableFuture<Void> writeBlock(int piece, int offset, ByteBuf data) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException("a seeder"));
    }

    @Override
    public CompletableFuture<Boolean> verifyPiece(int piece) {
      return CompletableFuture.completedFuture(true);
    }
  }

  /** The pieces whose bytes on disk are whole and right, and those with only some bytes. */
  record OnDisk(BitSet whole, BitSet partial) {}

  private static OnDisk onDisk(Path file, MetaInfo meta) throws Exception {
    BitSet whole = new BitSet();
    BitSet partial = new BitSet();
    byte[] bytes = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
    for (int piece = 0; piece < meta.pieceCount(); piece++) {
      int start = piece * PIECE;
      int end = (int) Math.min(meta.totalLength(), (long) start + PIECE);
      byte[] content = new byte[end - start];
      if (start < bytes.length) {
        System.arraycopy(bytes, start, content, 0, Math.min(bytes.length, end) - start);
      }
      if (Arrays.equals(MessageDigest.getInstance("SHA-1").digest(content),
          meta.pieceHash(piece))) {
        whole.set(piece);
      } else {
        for (byte b : content) {
          if (b != 0) {
            partial.set(piece); // random data: a zero block was never written
            break;
          }
        }
      }
    }
    return new OnDisk(whole, partial);
  }

  private Process program(Path torrent, Path out, InetSocketAddress seeder, Path log)
      throws Exception {
    return new ProcessBuilder(programCommand(torrent, out, seeder))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static List<String> programCommand(Path torrent, Path out, InetSocketAddress seeder) {
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m",
        "-Dorg.slf4j.simpleLogger.log.org.functorrent.internal.ActiveDownload=info",
        "-cp", classPath,
        FuncTorrentCommand.class.getName(),
        "download", torrent.toString(), "--dir", out.toString(), "--bind", "127.0.0.1",
        "--port", "0", "--no-trackers", "--peer", "127.0.0.1:" + seeder.getPort());
  }

  /** The "N of M pieces on disk" that the program logged after checking its files. */
  private static int piecesFoundAtStart(Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      Matcher m = ON_DISK.matcher(Files.readString(log, StandardCharsets.UTF_8));
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no 'pieces on disk' line in " + Files.readString(log));
  }

  @Test
  void killedAtRandomMomentsItResumesAndFinishesFetchingAgainOnlyWhatWasInFlight()
      throws Exception {
    byte[] data = new byte[8 * 1024 * 1024 + 4321];
    new Random(9).nextBytes(data);
    Path seedFile = Files.createDirectories(dir.resolve("seed")).resolve("data.bin");
    Files.write(seedFile, data);
    Path torrent = dir.resolve("data.torrent");
    Files.write(torrent, TorrentCreator.of(seedFile).pieceLength(PIECE).create());
    MetaInfo meta = MetaInfo.parse(torrent);
    Path out = dir.resolve("out");
    Path file = out.resolve("data.bin");

    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    // 16 KiB every 3 ms: about 5 MiB/s, so a download takes over a second and a half.
    SlowStore store = new SlowStore(data, TimeUnit.MICROSECONDS.toNanos(3000));
    Random random = new Random(20261127);
    try (PeerClient seeder =
        PeerClient.create(group, PeerId.random("-FS0001-"), callbacks, PeerOptions.defaults())) {
      InetSocketAddress address =
          seeder.listen(new InetSocketAddress("127.0.0.1", 0)).get(10, TimeUnit.SECONDS);
      BitSet all = new BitSet();
      all.set(0, meta.pieceCount());
      Swarm seeding = seeder.addTorrent(meta, store, all, new SwarmListener() {});
      assertThat(seeding.completion()).isCompleted();

      BitSet wholeAtLastKill = new BitSet();
      BitSet everServed = new BitSet();
      BitSet inFlightAtSomeKill = new BitSet();
      List<String> figures = new ArrayList<>();
      int run = 0;
      boolean finished = false;
      while (!finished) {
        Path log = dir.resolve("run-" + run + ".log");
        store.newRun();
        Process p = program(torrent, out, address, log);
        try {
          int found = piecesFoundAtStart(log);
          assertThat(found).as("run %s: pieces found on disk at start (whole at the kill: %s)",
              run, wholeAtLastKill.cardinality()).isEqualTo(wholeAtLastKill.cardinality());
          if (run < KILLS) {
            // Kill once the transfer is under way, at a random moment of it.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (store.served.get().isEmpty() && System.nanoTime() < deadline) {
              Thread.sleep(5);
            }
            Thread.sleep(100 + random.nextInt(600));
            if (p.isAlive()) {
              p.destroyForcibly(); // SIGKILL
            }
          }
          assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("run %s ended", run).isTrue();
        } finally {
          p.destroyForcibly();
        }
        finished = run >= KILLS || p.exitValue() == 0;
        Set<Integer> served = store.newRun();
        BitSet servedNow = new BitSet();
        served.forEach(servedNow::set);
        BitSet refetched = (BitSet) servedNow.clone();
        refetched.and(everServed);
        // Nothing that was whole on disk at an earlier kill is ever asked for again, and what
        // is asked for again was in flight at some kill.
        assertThat(refetched.intersects(wholeAtLastKill))
            .as("run %s fetched again pieces %s that were whole on disk", run, refetched)
            .isFalse();
        BitSet unexplained = (BitSet) refetched.clone();
        unexplained.andNot(inFlightAtSomeKill);
        assertThat(unexplained.toString())
            .as("run %s: fetched again, never in flight at a kill", run).isEqualTo("{}");
        everServed.or(servedNow);
        OnDisk disk = onDisk(file, meta);
        BitSet inFlight = (BitSet) servedNow.clone();
        inFlight.andNot(disk.whole());
        figures.add(String.format(
            "run %d: %s, found %d whole at start, served %d pieces (%d again), whole at end %d,"
                + " in flight at the end %d (%d partly on disk)",
            run, finished ? "exit " + p.exitValue() : "killed", wholeAtLastKill.cardinality(),
            servedNow.cardinality(), refetched.cardinality(), disk.whole().cardinality(),
            inFlight.cardinality(), disk.partial().cardinality()));
        assertThat(disk.whole().cardinality())
            .as("whole pieces never go away").isGreaterThanOrEqualTo(wholeAtLastKill.cardinality());
        wholeAtLastKill = disk.whole();
        inFlightAtSomeKill.or(inFlight);
        run++;
      }
      figures.forEach(System.out::println);
      assertThat(run).as("runs, kills included").isGreaterThan(1);
      assertThat(Files.readAllBytes(file)).isEqualTo(data);
      assertThat(Files.readString(dir.resolve("run-" + (run - 1) + ".log")))
          .contains("completed: ");
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      callbacks.shutdown();
      store.timer.shutdownNow();
    }
    assertThat(new File(out.toFile(), ".functorrent")).isDirectory();
  }

  /**
   * A file-size limit (the shell's {@code ulimit -f}) stands in for a disk that fills up, with
   * no mount and no root: the program exits with status 1 and one line on stderr that names the
   * file and the file system's reason, not a stack trace; exactly the pieces whole on disk are
   * found again by a run without the limit, which finishes.
   */
  @Test
  void aDiskThatFillsUpEndsTheProgramWithOneLineNamingTheFile() throws Exception {
    byte[] data = new byte[3 * 1024 * 1024];
    new Random(10).nextBytes(data);
    Path seedFile = Files.createDirectories(dir.resolve("seed")).resolve("data.bin");
    Files.write(seedFile, data);
    Path torrent = dir.resolve("data.torrent");
    Files.write(torrent, TorrentCreator.of(seedFile).pieceLength(PIECE).create());
    MetaInfo meta = MetaInfo.parse(torrent);
    Path out = dir.resolve("out");
    Path file = out.resolve("data.bin");
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    SlowStore store = new SlowStore(data, 0);
    try (PeerClient seeder =
        PeerClient.create(group, PeerId.random("-FS0001-"), callbacks, PeerOptions.defaults())) {
      InetSocketAddress address =
          seeder.listen(new InetSocketAddress("127.0.0.1", 0)).get(10, TimeUnit.SECONDS);
      BitSet all = new BitSet();
      all.set(0, meta.pieceCount());
      // The blocks past the limit come a little later than the others, so that some pieces
      // below it are whole when the first write fails (else the first block to land may be past
      // it and none is); the download is still in full swing then.
      store.firstLate = LIMIT_KIB * 1024 / PIECE;
      store.lateNanos = TimeUnit.MILLISECONDS.toNanos(100);
      seeder.addTorrent(meta, store, all, new SwarmListener() {});
      // bash counts ulimit -f in KiB: two thirds of the file.
      List<String> limited = new ArrayList<>(List.of("bash", "-c",
          "ulimit -f " + LIMIT_KIB + "; exec \"$@\"", "functorrent"));
      limited.addAll(programCommand(torrent, out, address));
      Process p = new ProcessBuilder(limited).start();
      p.getOutputStream().close();
      CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> {
        try {
          return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as("stdout %s%nstderr %s", stdout.get(), stderr).isEqualTo(1);
      List<String> errors = stderr.lines()
          .filter(l -> !l.startsWith("[") && !l.isBlank()) // log lines of the library
          .toList();
      assertThat(errors).as(stderr).hasSize(1);
      assertThat(errors.get(0)).contains(file.toString()).contains("File too large")
          .doesNotContain("\tat ");
      OnDisk disk = onDisk(file, meta);
      assertThat(disk.whole().cardinality()).as("whole pieces").isPositive();
      assertThat(disk.whole().nextSetBit(store.firstLate)).as("whole past the limit").isEqualTo(-1);

      Path log = dir.resolve("unlimited.log");
      Process again = program(torrent, out, address, log);
      try {
        // Exactly the pieces whole on disk: those verified before the write failed, and those
        // whose blocks were all written but whose hash checks were still queued when the
        // failure stopped the download (under load, all of them), which the storage checks as
        // it closes. A piece with a failed write is not whole.
        int found = piecesFoundAtStart(log);
        System.out.printf("file-size limit: %d pieces whole on disk, %d partly written, %d found"
            + " at the restart%n", disk.whole().cardinality(), disk.partial().cardinality(), found);
        assertThat(found).as("pieces found at the restart").isEqualTo(disk.whole().cardinality());
        assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(again.exitValue()).as(Files.readString(log)).isZero();
      } finally {
        again.destroyForcibly();
      }
      assertThat(Files.readAllBytes(file)).isEqualTo(data);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      callbacks.shutdown();
      store.timer.shutdownNow();
    }
  }
}
