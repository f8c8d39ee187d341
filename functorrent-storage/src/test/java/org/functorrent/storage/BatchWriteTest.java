package org.functorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.functorrent.storage.TestTorrent.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Storage#writeBlocks}: a burst of blocks written in one call. */
class BatchWriteTest {
  private static final int BLOCK = 16384;

  @TempDir Path dir;
  private ExecutorService executor;

  /** Pieces of two blocks: pieces 0-1 in file a, 2-3 and a short piece 4 in file b. */
  private final TestTorrent t =
      TestTorrent.multi(
          77, 2 * BLOCK, "batch", file(2 * 2 * BLOCK, "a"), file(2 * 2 * BLOCK + 5000, "b"));

  @BeforeEach
  void setUp() {
    executor = Storages.newExecutor();
  }

  @AfterEach
  void tearDown() {
    executor.shutdownNow();
  }

  private Storage open() {
    return Storages.fileSystem(t.meta, dir, executor);
  }

  /** Block {@code index} of {@code piece}, with the torrent's bytes. */
  private BlockWrite block(int piece, int index) {
    byte[] bytes = t.piece(piece);
    int offset = index * BLOCK;
    return new BlockWrite(
        piece, offset, ByteBuffer.wrap(bytes, offset, Math.min(BLOCK, bytes.length - offset)));
  }

  /** Every block of the torrent, the pieces interleaved: 0.0 1.0 2.0 ... 0.1 1.1 2.1 ... */
  private List<BlockWrite> interleaved() {
    List<BlockWrite> blocks = new ArrayList<>();
    for (int index = 0; index < 2; index++) {
      for (int piece = 0; piece < t.meta.pieceCount(); piece++) {
        if (index * BLOCK < t.meta.pieceSize(piece)) {
          blocks.add(block(piece, index));
        }
      }
    }
    return blocks;
  }

  @Test
  void aBurstAcrossPiecesAndFilesIsWrittenWhole() throws IOException {
    try (Storage s = open()) {
      assertThat(s.writeBlocks(interleaved()).join()).isEmpty();

      assertThat(s.pendingWrites()).isZero();
      assertThat(s.stats().bytesWritten()).isEqualTo(t.content.length);
      assertThat(s.verifyAll(VerifyListener.NONE).join().isComplete()).isTrue();
      s.flush().join();
      assertThat(Files.readAllBytes(dir.resolve("batch/a"))).isEqualTo(t.file(0));
      assertThat(Files.readAllBytes(dir.resolve("batch/b"))).isEqualTo(t.file(1));
    }
  }

  @Test
  void blocksOfOnePieceLandInTheOrderGiven() {
    try (Storage s = open()) {
      BlockWrite junk = new BlockWrite(1, 0, ByteBuffer.wrap(new byte[BLOCK]));
      // Earlier in the same burst, and in a call before it: both are overwritten by what follows.
      s.writeBlock(1, 0, ByteBuffer.wrap(new byte[BLOCK]));
      Map<Integer, Throwable> failures =
          s.writeBlocks(List.of(junk, block(0, 0), block(1, 0), block(1, 1), block(0, 1))).join();

      assertThat(failures).isEmpty();
      assertThat(s.verifyPiece(0).join()).isTrue();
      assertThat(s.verifyPiece(1).join()).isTrue();
    }
  }

  @Test
  void aBlockThatFailsIsReportedUnderItsIndexAndTheRestAreWritten() throws IOException {
    // File b becomes a directory: pieces 2-4 cannot be written, pieces 0-1 can.
    Files.createDirectories(dir.resolve("batch/b"));
    try (Storage s = open()) {
      List<BlockWrite> blocks = interleaved();
      Map<Integer, Throwable> failures = s.writeBlocks(blocks).join();

      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < blocks.size(); i++) {
        if (blocks.get(i).piece() >= 2) {
          expected.add(i);
        }
      }
      assertThat(failures.keySet()).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(failures.values())
          .allSatisfy(
              e -> {
                assertThat(e).isInstanceOf(StorageException.class);
                assertThat(((StorageException) e).path())
                    .contains(dir.toRealPath().resolve("batch/b"));
              });
      assertThat(s.pendingWrites()).isZero();
      assertThat(s.verifyPiece(0).join()).isTrue();
      assertThat(s.verifyPiece(1).join()).isTrue();
    }
  }

  @Test
  void aBlockOutsideItsPieceRejectsTheBurstBeforeAnythingIsWritten() {
    try (Storage s = open()) {
      List<BlockWrite> blocks =
          List.of(block(0, 0), new BlockWrite(0, BLOCK + 1, ByteBuffer.allocate(BLOCK)));
      assertThatThrownBy(() -> s.writeBlocks(blocks))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("offset 16385");
      List<BlockWrite> noSuchPiece =
          List.of(block(0, 0), new BlockWrite(5, 0, ByteBuffer.allocate(1)));
      assertThatThrownBy(() -> s.writeBlocks(noSuchPiece))
          .isInstanceOf(IndexOutOfBoundsException.class);

      assertThat(s.pendingWrites()).isZero();
      assertThat(s.stats().bytesWritten()).isZero();
      assertThat(Files.exists(dir.resolve("batch/a"))).isFalse();
    }
  }

  @Test
  void aClosedStorageFailsEveryBlock() {
    Storage s = open();
    s.close();
    List<BlockWrite> blocks = interleaved();
    Map<Integer, Throwable> failures = s.writeBlocks(blocks).join();

    assertThat(failures).hasSize(blocks.size());
    assertThat(failures.values())
        .allSatisfy(e -> assertThat(e).isInstanceOf(StorageException.class));
    assertThat(s.pendingWrites()).isZero();
  }

  @Test
  void anEmptyBurstIsDoneAtOnce() {
    try (Storage s = open()) {
      assertThat(s.writeBlocks(List.of()).join()).isEmpty();
      assertThat(s.stats().bytesWritten()).isZero();
    }
  }

  @Test
  void theCallersBuffersKeepTheirPositions() {
    try (Storage s = open()) {
      List<BlockWrite> blocks = interleaved();
      int[] before = blocks.stream().mapToInt(b -> b.data().position()).toArray();
      s.writeBlocks(blocks).join();
      assertThat(blocks.stream().mapToInt(b -> b.data().position()).toArray()).isEqualTo(before);
      assertThat(Arrays.stream(before).sum()).isPositive(); // not all at 0: offsets were kept
    }
  }
}
