package org.functorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.functorrent.storage.internal.FileStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write fails (the disk is full) while the hash checks of pieces whose blocks were all written
 * still wait behind it, and the storage closes, as a download that stops on the failure does:
 * the close checks those pieces, so the resume record holds exactly the pieces whole on disk and
 * a restart does not fetch them again. Pieces partly written, corrupt, or with a failed write are
 * not recorded.
 */
class CloseAfterWriteFailureTest {
  private static final int BLOCK = 16 * 1024;
  private static final int PIECE = 4 * BLOCK;

  /** Pieces: 0 written in order, 1 out of order, 2 with its last write failed, 3 half written,
   * 4 with a corrupt block, 5 whole until a rewrite of its first block failed half-way. */
  private final TestTorrent t = TestTorrent.single(77, PIECE, "data.bin", 6 * PIECE);

  @TempDir Path dir;
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private final AtomicBoolean failRewrite = new AtomicBoolean();

  @AfterEach
  void tearDown() throws Exception {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  /** Fails the write of piece 2's last block, and the rewrite of piece 5's first once asked. */
  private final FaultyChannel.Fault fault =
      new FaultyChannel.Fault() {
        @Override
        public boolean at(long position, int length) {
          return position == 2L * PIECE + 3 * BLOCK
              || (position == 5L * PIECE && failRewrite.get());
        }

        @Override
        public int storedBeforeFailing(long position, int length) {
          return position == 5L * PIECE ? length / 2 : 0;
        }
      };

  private Storage openFaulty() {
    return new FileStorage(t.meta, dir, executor, null, StorageOptions.defaults(),
        (path, write) -> new FaultyChannel(FileStorage.ChannelFactory.DEFAULT.open(path, write),
            fault));
  }

  private CompletableFuture<Void> write(Storage s, int piece, int block) {
    return write(s, piece, block, Arrays.copyOfRange(t.piece(piece), block * BLOCK,
        (block + 1) * BLOCK));
  }

  private static CompletableFuture<Void> write(Storage s, int piece, int block, byte[] bytes) {
    return s.writeBlock(piece, block * BLOCK, ByteBuffer.wrap(bytes));
  }

  private static boolean failed(CompletableFuture<?> f) {
    try {
      f.join();
      return false;
    } catch (CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(StorageException.class);
      return true;
    }
  }

  /** The pieces whose bytes in the file are whole and right. */
  private PieceSet wholeOnDisk() throws Exception {
    byte[] file = Files.readAllBytes(dir.resolve("data.bin"));
    java.util.BitSet whole = new java.util.BitSet();
    for (int piece = 0; piece < t.meta.pieceCount(); piece++) {
      int from = piece * PIECE;
      byte[] content = Arrays.copyOfRange(file, Math.min(from, file.length),
          Math.min(from + PIECE, file.length));
      if (content.length == PIECE && Arrays.equals(content, t.piece(piece))) {
        whole.set(piece);
      }
    }
    return PieceSet.copyOf(whole, t.meta.pieceCount());
  }

  @Test
  void piecesWholeOnDiskWhoseChecksWereStillQueuedAreRecordedOnClose() throws Exception {
    Storage s = openFaulty();
    List<CompletableFuture<Void>> good = new ArrayList<>();
    for (int b = 0; b < 4; b++) {
      good.add(write(s, 0, b));
    }
    for (int b : new int[] {2, 0, 3, 1}) {
      good.add(write(s, 1, b));
    }
    for (int b = 0; b < 3; b++) {
      good.add(write(s, 2, b));
    }
    CompletableFuture<Void> failedWrite = write(s, 2, 3);
    good.add(write(s, 3, 0));
    good.add(write(s, 3, 1));
    for (int b = 0; b < 4; b++) {
      byte[] bytes = Arrays.copyOfRange(t.piece(4), b * BLOCK, (b + 1) * BLOCK);
      if (b == 2) {
        bytes[100] ^= 1;
      }
      good.add(write(s, 4, b, bytes));
    }
    for (int b = 0; b < 4; b++) {
      good.add(write(s, 5, b));
    }
    good.forEach(CompletableFuture::join);
    assertThat(failed(failedWrite)).as("piece 2's last block").isTrue();
    failRewrite.set(true);
    byte[] garbage = new byte[BLOCK];
    Arrays.fill(garbage, (byte) 0x5a);
    assertThat(failed(write(s, 5, 0, garbage))).as("piece 5's rewrite").isTrue();

    // The download saw the failure and stops; the checks of pieces 0 and 1 (and of 4 and 5,
    // whose blocks it also wrote) were asked for but wait behind other work on the storage's
    // thread, and the storage closes before they run.
    CountDownLatch busy = new CountDownLatch(1);
    executor.execute(() -> {
      try {
        busy.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    List<CompletableFuture<Boolean>> checks = new ArrayList<>();
    for (int piece : new int[] {0, 1, 4, 5}) {
      checks.add(s.verifyPiece(piece));
    }
    s.close();
    busy.countDown();
    for (CompletableFuture<Boolean> check : checks) {
      assertThat(failed(check)).as("a check queued behind the close").isTrue();
    }

    PieceSet whole = wholeOnDisk();
    assertThat(whole).isEqualTo(PieceSet.of(6, 0, 1));
    try (Storage again = Storages.fileSystem(t.meta, dir, executor)) {
      assertThat(again.checkExisting(VerifyListener.NONE).join())
          .as("found at the restart: exactly the pieces whole on disk")
          .isEqualTo(whole);
    }
  }

  @Test
  void withoutFastResumeNothingIsHashedOnClose() throws Exception {
    Storage s = new FileStorage(t.meta, dir, executor, null,
        StorageOptions.defaults().withFastResume(false), FileStorage.ChannelFactory.DEFAULT);
    t.writePiece(s, 0);
    long hashed = s.stats().bytesHashed();
    s.close();
    assertThat(s.stats().bytesHashed()).isEqualTo(hashed);
    assertThat(s.stats().piecesVerified()).isZero();
  }
}
