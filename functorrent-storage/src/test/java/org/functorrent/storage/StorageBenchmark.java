package org.functorrent.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;

/**
 * Measures storage against coreutils on the same machine in the same run (not a unit test; run by
 * {@code scripts/storage-benchmark.sh}): verifying existing data against {@code sha1sum}, and
 * writing a download's block stream against {@code dd}. Arguments: a scratch directory, the size in
 * MiB (default 1024), rounds (default 3).
 */
public final class StorageBenchmark {
  private static final int BLOCK = 16384;

  private StorageBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path scratch = Path.of(args[0]);
    long mib = args.length > 1 ? Long.parseLong(args[1]) : 1024;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    long size = mib << 20;
    Path source = scratch.resolve("data.bin");
    System.out.printf(
        Locale.ROOT, "cores: %d, size: %d MiB%n", Runtime.getRuntime().availableProcessors(), mib);
    fill(source, size);
    MetaInfo meta = MetaInfo.parse(TorrentCreator.of(source).tracker("http://127.0.0.1/").create());
    System.out.printf(
        Locale.ROOT,
        "piece length: %d KiB, pieces: %d%n",
        meta.pieceLength() / 1024,
        meta.pieceCount());

    ExecutorService executor = Storages.newExecutor();
    try {
      List<Double> ours = new ArrayList<>();
      List<Double> oneThread = new ArrayList<>();
      List<Double> theirs = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        theirs.add(time(() -> run("sha1sum", source.toString())));
        int cores = Runtime.getRuntime().availableProcessors();
        ours.add(time(() -> verify(meta, scratch, executor, cores)));
        oneThread.add(time(() -> verify(meta, scratch, executor, 1)));
      }
      report("verify existing data", "sha1sum", size, ours, theirs);
      report("verify existing data, 1 hashing thread", "sha1sum", size, oneThread, theirs);

      List<Double> writes = new ArrayList<>();
      List<Double> dd = new ArrayList<>();
      Path target = scratch.resolve("write");
      for (int round = 0; round < rounds; round++) {
        Path ddFile = scratch.resolve("dd.bin");
        dd.add(
            time(
                () ->
                    run(
                        "dd",
                        "if=/dev/zero",
                        "of=" + ddFile,
                        "bs=16k",
                        "count=" + size / BLOCK,
                        "conv=fsync",
                        "status=none")));
        Files.delete(ddFile);
        writes.add(time(() -> download(meta, target, executor, size)));
        deleteTree(target);
      }
      report("write 16 KiB blocks + fsync", "dd bs=16k conv=fsync", size, writes, dd);
    } finally {
      executor.shutdown();
      Files.deleteIfExists(source);
    }
  }

  private static void verify(MetaInfo meta, Path directory, ExecutorService executor, int threads) {
    StorageOptions options =
        StorageOptions.defaults().withFastResume(false).withHashParallelism(threads);
    try (Storage storage = Storages.fileSystem(meta, directory, executor, options)) {
      PieceSet verified = storage.verifyAll(VerifyListener.NONE).join();
      if (!verified.isComplete()) {
        throw new IllegalStateException("not verified: " + verified);
      }
    }
  }

  /** Writes every piece in 16 KiB blocks, pieces in random order, 64 blocks in flight; syncs. */
  private static void download(MetaInfo meta, Path directory, ExecutorService executor, long size) {
    byte[] block = new byte[BLOCK];
    new Random(1).nextBytes(block);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < meta.pieceCount(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(2));
    Semaphore window = new Semaphore(64);
    try (Storage storage = Storages.fileSystem(meta, directory, executor)) {
      for (int piece : order) {
        long pieceSize = meta.pieceSize(piece);
        for (int offset = 0; offset < pieceSize; offset += BLOCK) {
          int length = (int) Math.min(BLOCK, pieceSize - offset);
          window.acquireUninterruptibly();
          storage
              .writeBlock(piece, offset, ByteBuffer.wrap(block, 0, length))
              .whenComplete((ok, e) -> window.release());
        }
      }
      window.acquireUninterruptibly(64);
      // claims nothing (no piece verified) but forces every written file to disk
      storage.flush().join();
      if (storage.stats().bytesWritten() != size) {
        throw new IllegalStateException("written: " + storage.stats());
      }
    }
  }

  private static void fill(Path file, long size) throws IOException {
    SplittableRandom random = new SplittableRandom(7);
    ByteBuffer chunk = ByteBuffer.allocate(4 << 20);
    try (FileChannel out =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      for (long at = 0; at < size; at += chunk.capacity()) {
        chunk.clear();
        while (chunk.remaining() >= 8) {
          chunk.putLong(random.nextLong());
        }
        chunk.flip().limit((int) Math.min(chunk.capacity(), size - at));
        while (chunk.hasRemaining()) {
          out.write(chunk);
        }
      }
    }
  }

  private interface Action {
    void run() throws Exception;
  }

  private static double time(Action action) throws Exception {
    long start = System.nanoTime();
    action.run();
    return (System.nanoTime() - start) / 1e9;
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (process.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed");
    }
  }

  private static void report(
      String what, String baseline, long size, List<Double> ours, List<Double> theirs) {
    double best = Collections.min(ours);
    double bestBaseline = Collections.min(theirs);
    double mib = size / (1024.0 * 1024.0);
    System.out.printf(
        Locale.ROOT,
        "%s: functorrent %s s (best %.2f s, %.0f MiB/s)%n",
        what,
        format(ours),
        best,
        mib / best);
    System.out.printf(
        Locale.ROOT,
        "%s: %s %s s (best %.2f s, %.0f MiB/s)%n",
        what,
        baseline,
        format(theirs),
        bestBaseline,
        mib / bestBaseline);
    System.out.printf(
        Locale.ROOT,
        "%s: speed ratio functorrent / %s = %.2fx (best of each)%n",
        what,
        baseline,
        bestBaseline / best);
  }

  private static String format(List<Double> times) {
    StringBuilder out = new StringBuilder();
    for (double t : times) {
      out.append(out.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", t));
    }
    return "[" + out + "]";
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Collections.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
