package org.functorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.functorrent.storage.TestTorrent.file;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrencyTest {
  @TempDir Path dir;

  @Test
  void concurrentBlocksThroughTwoHandlesAllLandAndVerify() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    TestTorrent.Entry[] entries = new TestTorrent.Entry[300];
    for (int i = 0; i < entries.length; i++) {
      entries[i] = file(1 + random.nextInt(9000), "f" + i);
    }
    TestTorrent t = TestTorrent.multi(seed, 16384, "conc", entries);
    ExecutorService executor = Executors.newFixedThreadPool(8);
    try (Storage s =
        Storages.fileSystem(t.meta, dir, executor, StorageOptions.defaults().withMaxOpenFiles(2))) {
      // every block split in 1 KiB writes, all submitted at once in random order, with reads
      List<int[]> writes = new ArrayList<>();
      for (int piece = 0; piece < t.meta.pieceCount(); piece++) {
        for (int offset = 0; offset < t.meta.pieceSize(piece); offset += 1024) {
          writes.add(new int[] {piece, offset});
        }
      }
      Collections.shuffle(writes, random);
      List<CompletableFuture<?>> all = new ArrayList<>();
      for (int[] w : writes) {
        int length = (int) Math.min(1024, t.meta.pieceSize(w[0]) - w[1]);
        int from = w[0] * 16384 + w[1];
        all.add(s.writeBlock(w[0], w[1], ByteBuffer.wrap(t.content, from, length)));
        int readPiece = random.nextInt(t.meta.pieceCount());
        // the last piece may hold fewer than 100 bytes
        all.add(s.readBlock(readPiece, 0, (int) Math.min(100, t.meta.pieceSize(readPiece))));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
      List<CompletableFuture<Boolean>> checks = new ArrayList<>();
      for (int piece = 0; piece < t.meta.pieceCount(); piece++) {
        checks.add(s.verifyPiece(piece));
      }
      assertThat(checks.stream().map(CompletableFuture::join))
          .as("seed %s", seed)
          .containsOnly(true);
      byte[] back = s.readBlock(3, 0, 16384).join().array();
      assertThat(back).isEqualTo(Arrays.copyOfRange(t.content, 3 * 16384, 4 * 16384));
    } finally {
      executor.shutdownNow();
    }
  }
}
