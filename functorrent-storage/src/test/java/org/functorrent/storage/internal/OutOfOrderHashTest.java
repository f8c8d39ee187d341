package org.functorrent.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.MoreExecutors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeString;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.storage.StorageOptions;
import org.functorrent.storage.Storages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Blocks of a piece written in any order are hashed from memory: those past the hashed prefix are
 * held until the gap before them is filled, within a budget, so that verification reads nothing
 * back; past the budget a piece is read back, and what is hashed is always what is stored.
 */
class OutOfOrderHashTest {
  private static final int BLOCK = 16 * 1024;
  private static final int PIECE = 16 * BLOCK;
  private static final int PIECES = 6;
  /** The last piece is shorter, with a short last block. */
  private static final int LENGTH = (PIECES - 1) * PIECE + 5 * BLOCK + 1234;

  @TempDir Path dir;

  private final byte[] content = new byte[LENGTH];
  private final MetaInfo meta;
  private final AtomicLong failAt = new AtomicLong(-1);

  OutOfOrderHashTest() throws Exception {
    new Random(11).nextBytes(content);
    MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
    byte[] hashes = new byte[20 * PIECES];
    for (int p = 0; p < PIECES; p++) {
      sha1.update(content, p * PIECE, Math.min(PIECE, LENGTH - p * PIECE));
      System.arraycopy(sha1.digest(), 0, hashes, 20 * p, 20);
    }
    BencodeDictionary info =
        BencodeDictionary.builder()
            .put("name", "order.bin")
            .put("piece length", PIECE)
            .put("length", LENGTH)
            .put("pieces", BencodeString.of(hashes))
            .build();
    meta = MetaInfo.parse(Bencode.encode(BencodeDictionary.builder().put("info", info).build()));
  }

  /** A storage in {@link #dir} on the calling thread: every future is complete on return. */
  private FileStorage storage(long budget) {
    return new FileStorage(
        meta,
        dir,
        MoreExecutors.directExecutor(),
        null,
        StorageOptions.defaults().withFastResume(false),
        FileStorage.ChannelFactory.DEFAULT,
        budget);
  }

  /**
   * A storage in an array, on the calling thread, whose write at torrent position {@link #failAt}
   * stores garbage and then fails, as a disk may.
   */
  private final class FailingStorage extends ArrayStorage {
    FailingStorage(MetaInfo meta) {
      this(meta, DEFAULT_HELD_BUDGET);
    }

    FailingStorage(MetaInfo meta, long budget) {
      super(meta, budget);
    }

    @Override
    protected void write(int piece, int offset, ByteBuffer src) throws IOException {
      int at = at(piece, offset);
      if (at == failAt.get()) {
        Arrays.fill(stored, at, at + src.remaining(), (byte) 0x33);
        throw new IOException("No space left on device");
      }
      super.write(piece, offset, src);
    }
  }

  private FileStorage storage() {
    return storage(AbstractStorage.DEFAULT_HELD_BUDGET);
  }

  private int pieceSize(int piece) {
    return (int) meta.pieceSize(piece);
  }

  private int blocks(int piece) {
    return (pieceSize(piece) + BLOCK - 1) / BLOCK;
  }

  private record Block(int piece, int index) {}

  private List<Block> blocksOf(int piece) {
    List<Block> out = new ArrayList<>();
    for (int b = 0; b < blocks(piece); b++) {
      out.add(new Block(piece, b));
    }
    return out;
  }

  private ByteBuffer bytes(Block block) {
    int offset = block.index() * BLOCK;
    int length = Math.min(BLOCK, pieceSize(block.piece()) - offset);
    return ByteBuffer.wrap(content, block.piece() * PIECE + offset, length).slice();
  }

  private static void write(AbstractStorage storage, Block block, ByteBuffer data) {
    storage.writeBlock(block.piece(), block.index() * BLOCK, data).join();
  }

  private void write(AbstractStorage storage, Block block) {
    write(storage, block, bytes(block));
  }

  private void write(AbstractStorage storage, List<Block> blocks) {
    for (Block block : blocks) {
      write(storage, block);
    }
  }

  private ByteBuffer garbage(Block block) {
    byte[] bytes = new byte[bytes(block).remaining()];
    Arrays.fill(bytes, (byte) 0x5a);
    return ByteBuffer.wrap(bytes);
  }

  private void assertFileHoldsTheContent() throws IOException {
    assertThat(Files.readAllBytes(dir.resolve("order.bin"))).isEqualTo(content);
  }

  @Test
  void piecesWrittenInReverseVerifyWithoutReadingBack() throws IOException {
    try (FileStorage storage = storage()) {
      for (int p = 0; p < PIECES; p++) {
        List<Block> blocks = blocksOf(p);
        Collections.reverse(blocks);
        write(storage, blocks.subList(0, blocks.size() - 1));
        long held = blocks.size() - 1L;
        assertThat(storage.heldBytes()).as("piece %s", p).isEqualTo(held * BLOCK);
        write(storage, new Block(p, 0)); // fills the gap: every held block is hashed
        assertThat(storage.heldBytes()).isZero();
        assertThat(storage.verifyPiece(p).join()).as("piece %s", p).isTrue();
      }
      assertThat(storage.bytesReadBack()).isZero();
      assertThat(storage.verifiedPieces().isComplete()).isTrue();
      assertFileHoldsTheContent();
    }
  }

  @Test
  void blocksOfInterleavedPiecesInShuffledOrderVerifyWithoutReadingBack() throws IOException {
    try (FileStorage storage = storage()) {
      List<Block> all = new ArrayList<>();
      for (int p = 0; p < PIECES; p++) {
        all.addAll(blocksOf(p));
      }
      Collections.shuffle(all, new Random(42));
      write(storage, all);
      for (int p = 0; p < PIECES; p++) {
        assertThat(storage.verifyPiece(p).join()).as("piece %s", p).isTrue();
      }
      assertThat(storage.bytesReadBack()).isZero();
      assertThat(storage.heldBytes()).isZero();
      assertFileHoldsTheContent();
    }
  }

  @Test
  void aCorruptBlockWrittenOutOfOrderFailsItsPieceWithoutReadingBack() {
    try (FileStorage storage = storage()) {
      List<Block> blocks = blocksOf(2);
      Collections.shuffle(blocks, new Random(7));
      for (Block block : blocks) {
        if (block.index() == 9) {
          write(storage, block, garbage(block));
        } else {
          write(storage, block);
        }
      }
      assertThat(storage.verifyPiece(2).join()).isFalse();
      assertThat(storage.bytesReadBack()).isZero();
      assertThat(storage.heldBytes()).isZero();

      // downloaded again, in another order: verified, still from memory
      Collections.shuffle(blocks, new Random(8));
      write(storage, blocks);
      assertThat(storage.verifyPiece(2).join()).isTrue();
      assertThat(storage.bytesReadBack()).isZero();
    }
  }

  @Test
  void theCallersBufferMayChangeOnceTheWriteCompletes() {
    try (FileStorage storage = storage()) {
      List<Block> blocks = blocksOf(1);
      Collections.reverse(blocks);
      byte[] reused = new byte[BLOCK];
      for (Block block : blocks) {
        ByteBuffer data = bytes(block);
        int length = data.remaining();
        data.get(reused, 0, length);
        write(storage, block, ByteBuffer.wrap(reused, 0, length));
        Arrays.fill(reused, (byte) 0); // the next block, as a network buffer would be reused
      }
      assertThat(storage.verifyPiece(1).join()).isTrue();
      assertThat(storage.bytesReadBack()).isZero();
    }
  }

  @Test
  void pastTheBudgetAPieceIsReadBackFromItsFirstGap() {
    // room for two blocks: reversed, blocks 15 and 14 are held, 13 does not fit and the piece
    // gives up holding; block 0 is hashed as it comes, the other 15 blocks are read back
    try (FileStorage storage = storage(2L * BLOCK)) {
      List<Block> blocks = blocksOf(0);
      Collections.reverse(blocks);
      write(storage, blocks);
      assertThat(storage.heldBytes()).isZero();
      assertThat(storage.verifyPiece(0).join()).isTrue();
      assertThat(storage.bytesReadBack()).isEqualTo(PIECE - BLOCK);

      // a piece that fits is still held: blocks 1 and 2 wait for 0
      write(storage, List.of(new Block(1, 2), new Block(1, 1)));
      assertThat(storage.heldBytes()).isEqualTo(2L * BLOCK);
      write(storage, new Block(1, 0));
      assertThat(storage.heldBytes()).isZero();
      write(storage, blocksOf(1).subList(3, 16));
      long before = storage.bytesReadBack();
      assertThat(storage.verifyPiece(1).join()).isTrue();
      assertThat(storage.bytesReadBack()).isEqualTo(before);
    }
  }

  @Test
  void pastTheBudgetACorruptBlockStillFailsItsPiece() {
    try (FileStorage storage = storage(2L * BLOCK)) {
      List<Block> blocks = blocksOf(3);
      Collections.reverse(blocks);
      for (Block block : blocks) {
        write(storage, block, block.index() == 4 ? garbage(block) : bytes(block));
      }
      assertThat(storage.verifyPiece(3).join()).isFalse();
      assertThat(storage.bytesReadBack()).isEqualTo(PIECE - BLOCK);
    }
  }

  @Test
  void withoutBudgetEveryBlockPastTheHashedPrefixIsReadBack() {
    try (FileStorage storage = storage(0)) {
      write(storage, List.of(new Block(0, 0), new Block(0, 1), new Block(0, 3), new Block(0, 2)));
      write(storage, blocksOf(0).subList(4, 16));
      assertThat(storage.verifyPiece(0).join()).isTrue();
      // blocks 0 to 2 were hashed as they came; block 3 came early, so it and the rest are read
      assertThat(storage.bytesReadBack()).isEqualTo(PIECE - 3L * BLOCK);
    }
  }

  @Test
  void aHeldBlockOverwrittenWithOtherBytesIsCheckedAgainstWhatIsStored() {
    try (FileStorage storage = storage()) {
      write(storage, new Block(4, 5)); // held
      write(storage, new Block(4, 5), garbage(new Block(4, 5))); // stored over it
      write(storage, blocksOf(4).subList(0, 5));
      write(storage, blocksOf(4).subList(6, 16));
      assertThat(storage.verifyPiece(4).join()).isFalse();

      write(storage, new Block(4, 7)); // held
      write(storage, new Block(4, 7), garbage(new Block(4, 7)));
      write(storage, new Block(4, 7)); // the right bytes again, held again
      write(storage, blocksOf(4).subList(0, 7));
      write(storage, blocksOf(4).subList(8, 16));
      assertThat(storage.verifyPiece(4).join()).isTrue();
      assertThat(storage.bytesReadBack()).isZero();
      assertThat(storage.heldBytes()).isZero();
    }
  }

  @Test
  void aWriteOverlappingHeldBlocksDropsThem() {
    try (FileStorage storage = storage()) {
      write(storage, new Block(3, 5)); // held
      byte[] garbage = new byte[BLOCK];
      Arrays.fill(garbage, (byte) 0x77);
      int across = 5 * BLOCK - BLOCK / 2; // over the second half of block 4, first half of 5
      storage.writeBlock(3, across, ByteBuffer.wrap(garbage)).join();
      write(storage, blocksOf(3).subList(0, 5)); // block 4 puts back its half; 5's stays bad
      write(storage, blocksOf(3).subList(6, 16));
      assertThat(storage.verifyPiece(3).join()).isFalse();
      assertThat(storage.heldBytes()).isZero();
    }
  }

  @Test
  void aBlockRewrittenOverTheHashedPrefixIsReadBack() {
    try (FileStorage storage = storage()) {
      write(storage, blocksOf(1).subList(0, 4));
      write(storage, new Block(1, 9)); // held
      write(storage, new Block(1, 1), garbage(new Block(1, 1)));
      assertThat(storage.heldBytes()).isZero(); // the running hash and what it held are gone
      write(storage, blocksOf(1).subList(4, 16));
      assertThat(storage.verifyPiece(1).join()).isFalse();

      write(storage, new Block(1, 5)); // held
      write(storage, blocksOf(1).subList(0, 4));
      write(storage, new Block(1, 2)); // the same bytes again, over the prefix
      write(storage, blocksOf(1).subList(4, 16));
      assertThat(storage.verifyPiece(1).join()).isTrue();
      assertThat(storage.bytesReadBack()).isEqualTo(2L * PIECE); // both times whole
    }
  }

  @Test
  void aFailedWriteOverAHeldBlockDropsIt() {
    try (FailingStorage storage = new FailingStorage(meta)) {
      Block held = new Block(2, 6);
      write(storage, held);
      failAt.set(2L * PIECE + 6 * BLOCK); // fails after storing garbage there
      assertThatThrownBy(() -> write(storage, held))
          .isInstanceOf(CompletionException.class)
          .hasMessageContaining("No space left");
      failAt.set(-1);
      assertThat(storage.heldBytes()).isZero();
      write(storage, blocksOf(2).subList(0, 6));
      write(storage, blocksOf(2).subList(7, 16));
      // the held copy would match the torrent; the stored bytes do not
      assertThat(storage.verifyPiece(2).join()).isFalse();
      assertThat(storage.bytesReadBack()).isEqualTo(BLOCK);
    }
  }

  @Test
  void aFailedWriteIntoTheHashedPrefixDiscardsTheRunningHash() {
    try (FailingStorage storage = new FailingStorage(meta)) {
      write(storage, blocksOf(5).subList(0, 3));
      write(storage, new Block(5, 4)); // held
      failAt.set(5L * PIECE + BLOCK);
      assertThatThrownBy(() -> write(storage, new Block(5, 1)))
          .isInstanceOf(CompletionException.class);
      failAt.set(-1);
      assertThat(storage.heldBytes()).isZero();
      write(storage, new Block(5, 3));
      write(storage, blocksOf(5).subList(5, blocks(5)));
      assertThat(storage.verifyPiece(5).join()).isFalse();
      assertThat(storage.bytesReadBack()).isEqualTo(pieceSize(5));
    }
  }

  @Test
  void closingReleasesTheHeldBlocks() {
    FileStorage storage = storage();
    List<Block> blocks = blocksOf(0);
    Collections.reverse(blocks);
    write(storage, blocks.subList(0, 10));
    write(storage, new Block(3, 8));
    assertThat(storage.heldBytes()).isEqualTo(11L * BLOCK);
    storage.close();
    assertThat(storage.heldBytes()).isZero();
    assertThat(storage.pooledArrays()).isZero();
  }

  @Test
  void heldArraysAreReusedFromABoundedPool() {
    try (FileStorage storage = storage()) {
      for (int p = 0; p < PIECES; p++) {
        List<Block> blocks = blocksOf(p);
        Collections.reverse(blocks);
        write(storage, blocks);
        assertThat(storage.verifyPiece(p).join()).isTrue();
        if (p < PIECES - 1) {
          assertThat(storage.pooledArrays()).isBetween(1, 64);
        }
      }
      assertThat(storage.pooledArrays()).as("complete: nothing kept for seeding").isZero();
    }
  }

  @Test
  void piecesWrittenOnManyThreadsVerifyWithoutReadingBack() throws IOException {
    ExecutorService executor = Storages.newExecutor();
    try (FileStorage storage =
        new FileStorage(
            meta,
            dir,
            executor,
            null,
            StorageOptions.defaults().withFastResume(false),
            FileStorage.ChannelFactory.DEFAULT)) {
      List<Block> all = new ArrayList<>();
      for (int p = 0; p < PIECES; p++) {
        all.addAll(blocksOf(p));
      }
      Collections.shuffle(all, new Random(3));
      List<CompletableFuture<Void>> writes = new ArrayList<>();
      for (Block block : all) {
        writes.add(storage.writeBlock(block.piece(), block.index() * BLOCK, bytes(block)));
      }
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
      List<CompletableFuture<Boolean>> checks = new ArrayList<>();
      for (int p = 0; p < PIECES; p++) {
        checks.add(storage.verifyPiece(p));
      }
      assertThat(checks).allSatisfy(check -> assertThat(check.join()).isTrue());
      assertThat(storage.bytesReadBack()).isZero();
      assertThat(storage.heldBytes()).isZero();
      assertFileHoldsTheContent();
    } finally {
      executor.shutdownNow();
    }
  }

  /**
   * Random writes (right bytes, wrong bytes, odd offsets and lengths, failed writes) and checks,
   * seeded: every check says exactly whether the stored bytes hash right, and the held bytes stay
   * within the budget.
   */
  @ParameterizedTest
  @ValueSource(longs = {0, 3 * BLOCK, AbstractStorage.DEFAULT_HELD_BUDGET})
  void everyCheckTellsWhetherTheStoredBytesHashRight(long budget) throws Exception {
    Random random = new Random(budget + 1);
    MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
    int[] outcomes = new int[2];
    try (FailingStorage storage = new FailingStorage(meta, budget)) {
      for (int step = 0; step < 30_000; step++) {
        int piece = random.nextInt(PIECES);
        int size = pieceSize(piece);
        Block block = new Block(piece, random.nextInt(blocks(piece)));
        int kind = random.nextInt(100);
        if (kind < 60) {
          write(storage, block);
        } else if (kind < 70) {
          write(storage, block, garbage(block));
        } else if (kind < 78) {
          int offset = random.nextInt(size);
          int length = 1 + random.nextInt(Math.min(2 * BLOCK, size - offset));
          ByteBuffer data =
              random.nextBoolean()
                  ? ByteBuffer.wrap(content, piece * PIECE + offset, length).slice()
                  : ByteBuffer.wrap(new byte[length]);
          storage.writeBlock(piece, offset, data).join();
        } else if (kind < 82) {
          failAt.set((long) piece * PIECE + block.index() * BLOCK);
          CompletableFuture<Void> write =
              storage.writeBlock(piece, block.index() * BLOCK, bytes(block));
          failAt.set(-1);
          assertThat(write.isCompletedExceptionally()).isTrue();
        } else {
          sha1.update(storage.stored, piece * PIECE, size);
          boolean right = MessageDigest.isEqual(sha1.digest(), meta.pieceHash(piece));
          assertThat(storage.verifyPiece(piece).join()).as("step %s", step).isEqualTo(right);
          outcomes[right ? 1 : 0]++;
          if (right) {
            // start the piece again: a verified piece takes no more writes
            Arrays.fill(storage.stored, piece * PIECE, piece * PIECE + size, (byte) 0);
            assertThat(storage.verifyPiece(piece).join()).isFalse();
          }
        }
        assertThat(storage.heldBytes()).isBetween(0L, budget);
      }
      assertThat(outcomes[0]).as("checks that failed").isPositive();
      assertThat(outcomes[1]).as("checks that passed").isPositive();
    }
  }
}
