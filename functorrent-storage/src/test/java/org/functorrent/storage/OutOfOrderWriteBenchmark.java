package org.functorrent.storage;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeString;
import org.functorrent.metainfo.MetaInfo;

/**
 * Writes a download's blocks into a file storage with the blocks of each piece out of order, as a
 * seeder whose disk threads finish reads in any order sends them, and verifies each piece once
 * its last block is written (not a unit test; public API only, so that it runs against older
 * builds too). Reports per round the wall time, the CPU time of the process, the bytes the
 * process read (/proc/self/io rchar: nothing else reads, so that is the read-back to finish
 * hashes), the collectors' time and the bytes allocated by live threads.
 *
 * <p>Arguments: a scratch directory, the size in MiB (default 1024), rounds (default 5), the order
 * of blocks in a piece: {@code shuffled} (any order; default), {@code local} (each block within
 * four places of its own), {@code inorder}, or {@code spread} (the blocks of 16 pieces at a time
 * mixed in any order, up to 16 MiB out of order: more than the storage holds); the blocks in
 * flight (default 64): writes accepted and not completed, across pieces.
 */
public final class OutOfOrderWriteBenchmark {
  private static final int BLOCK = 16384;
  private static final int SPREAD = 16;
  private static final int PIECE = 1 << 20;

  private OutOfOrderWriteBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path scratch = Path.of(args[0]);
    long mib = args.length > 1 ? Long.parseLong(args[1]) : 1024;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    String order = args.length > 3 ? args[3] : "shuffled";
    int inFlight = args.length > 4 ? Integer.parseInt(args[4]) : 64;
    int pieces = (int) (mib * (1 << 20) / PIECE);
    byte[] piece = new byte[PIECE];
    new Random(9).nextBytes(piece);
    MetaInfo meta = torrent(piece, pieces);
    System.out.printf(
        Locale.ROOT,
        "cores: %d, %d MiB in %d pieces of 1 MiB, 16 KiB blocks, order %s, %d blocks in flight%n",
        Runtime.getRuntime().availableProcessors(),
        mib,
        pieces,
        order,
        inFlight);
    List<double[]> results = new ArrayList<>();
    ExecutorService executor = Storages.newExecutor();
    try {
      for (int round = 0; round < rounds; round++) {
        Path target = scratch.resolve("round" + round);
        double[] r = round(meta, piece, target, executor, order, inFlight, round);
        StorageBenchmark.deleteTree(target);
        results.add(r);
        System.out.printf(
            Locale.ROOT,
            "round %d: wall %.2f s, cpu %.2f s, read back %.1f MiB, gc %d ms, allocated %d MiB%n",
            round,
            r[0],
            r[1],
            r[2] / (1 << 20),
            (long) r[3],
            (long) r[4] >> 20);
      }
    } finally {
      executor.shutdown();
    }
    System.out.printf(
        Locale.ROOT,
        "median of rounds 1..: wall %.2f s, cpu %.2f s, read back %.1f MiB, gc %d ms,"
            + " allocated %d MiB%n",
        median(results, 0),
        median(results, 1),
        median(results, 2) / (1 << 20),
        (long) median(results, 3),
        (long) median(results, 4) >> 20);
  }

  private static double[] round(
      MetaInfo meta,
      byte[] piece,
      Path target,
      ExecutorService executor,
      String order,
      int inFlight,
      int seed)
      throws Exception {
    StorageOptions options = StorageOptions.defaults().withFastResume(false);
    Random random = new Random(100 + seed);
    Semaphore window = new Semaphore(inFlight);
    long readBefore = rchar();
    long cpuBefore = cpuNanos();
    long gcBefore = gcMillis();
    long allocatedBefore = allocatedBytes();
    long start = System.nanoTime();
    List<CompletableFuture<Boolean>> checks = new ArrayList<>();
    try (Storage storage = Storages.fileSystem(meta, target, executor, options)) {
      int group = order.equals("spread") ? SPREAD : 1;
      for (int first = 0; first < meta.pieceCount(); first += group) {
        List<int[]> blocks = new ArrayList<>();
        List<AtomicInteger> left = new ArrayList<>();
        List<CompletableFuture<Boolean>> done = new ArrayList<>();
        for (int p = first; p < Math.min(first + group, meta.pieceCount()); p++) {
          for (int b : blockOrder(order, random)) {
            blocks.add(new int[] {p, b});
          }
          left.add(new AtomicInteger(PIECE / BLOCK));
          done.add(new CompletableFuture<>());
        }
        if (group > 1) {
          Collections.shuffle(blocks, random);
        }
        checks.addAll(done);
        for (int[] block : blocks) {
          int index = block[0];
          int offset = block[1] * BLOCK;
          CompletableFuture<Boolean> check = done.get(index - first);
          AtomicInteger remaining = left.get(index - first);
          window.acquireUninterruptibly();
          storage
              .writeBlock(index, offset, ByteBuffer.wrap(piece, offset, BLOCK))
              .whenComplete(
                  (ok, e) -> {
                    window.release();
                    if (e != null) {
                      check.completeExceptionally(e);
                    } else if (remaining.decrementAndGet() == 0) {
                      storage
                          .verifyPiece(index)
                          .whenComplete(
                              (verified, f) -> {
                                if (f != null) {
                                  check.completeExceptionally(f);
                                } else {
                                  check.complete(verified);
                                }
                              });
                    }
                  });
        }
      }
      for (CompletableFuture<Boolean> check : checks) {
        if (!check.join()) {
          throw new IllegalStateException("a piece failed its check");
        }
      }
      if (!storage.verifiedPieces().isComplete()) {
        throw new IllegalStateException("not all verified");
      }
    }
    double wall = (System.nanoTime() - start) / 1e9;
    return new double[] {
      wall,
      (cpuNanos() - cpuBefore) / 1e9,
      rchar() - readBefore,
      gcMillis() - gcBefore,
      allocatedBytes() - allocatedBefore
    };
  }

  private static List<Integer> blockOrder(String order, Random random) {
    List<Integer> blocks = new ArrayList<>();
    for (int b = 0; b < PIECE / BLOCK; b++) {
      blocks.add(b);
    }
    switch (order) {
      case "shuffled", "spread" -> Collections.shuffle(blocks, random);
      case "local" -> {
        for (int from = 0; from < blocks.size(); from += 4) {
          Collections.shuffle(blocks.subList(from, from + 4), random);
        }
      }
      case "inorder" -> {}
      default -> throw new IllegalArgumentException("order: " + order);
    }
    return blocks;
  }

  private static MetaInfo torrent(byte[] piece, int pieces) throws Exception {
    byte[] hash = MessageDigest.getInstance("SHA-1").digest(piece);
    byte[] hashes = new byte[20 * pieces];
    for (int i = 0; i < pieces; i++) {
      System.arraycopy(hash, 0, hashes, 20 * i, 20);
    }
    BencodeDictionary info =
        BencodeDictionary.builder()
            .put("name", "bench.bin")
            .put("piece length", PIECE)
            .put("length", (long) PIECE * pieces)
            .put("pieces", BencodeString.of(hashes))
            .build();
    return MetaInfo.parse(Bencode.encode(BencodeDictionary.builder().put("info", info).build()));
  }

  /** The bytes this process read with read system calls so far. */
  private static long rchar() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
      if (line.startsWith("rchar:")) {
        return Long.parseLong(line.substring(6).trim());
      }
    }
    throw new IllegalStateException("no rchar in /proc/self/io");
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The bytes allocated so far by the threads alive now (the storage threads outlive rounds). */
  private static long allocatedBytes() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long total = 0;
    for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      total += Math.max(0, bytes);
    }
    return total;
  }

  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  private static double median(List<double[]> results, int column) {
    // round 0 warms the JIT up
    double[] values =
        results.stream().skip(results.size() > 1 ? 1 : 0).mapToDouble(r -> r[column]).sorted()
            .toArray();
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }
}
