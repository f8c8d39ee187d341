package org.functorrent.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeString;
import org.functorrent.metainfo.MetaInfo;
import org.junit.jupiter.api.Test;

/**
 * Verification uses the hash of the blocks as they were written (in order, or held until their
 * turn), reads back only what was not hashed that way, and never trusts a hash of bytes that were
 * overwritten since.
 */
class RunningHashTest {
  private static final int BLOCK = 16 * 1024;
  private static final int PIECE = 4 * BLOCK;

  private final byte[] content = new byte[2 * PIECE];
  private final MetaInfo meta;

  RunningHashTest() throws Exception {
    new Random(5).nextBytes(content);
    MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
    byte[] hashes = new byte[40];
    for (int p = 0; p < 2; p++) {
      sha1.update(content, p * PIECE, PIECE);
      System.arraycopy(sha1.digest(), 0, hashes, 20 * p, 20);
    }
    BencodeDictionary info =
        BencodeDictionary.builder()
            .put("name", "running.bin")
            .put("piece length", PIECE)
            .put("length", content.length)
            .put("pieces", BencodeString.of(hashes))
            .build();
    meta = MetaInfo.parse(Bencode.encode(BencodeDictionary.builder().put("info", info).build()));
  }

  private void write(ArrayStorage storage, int piece, int block) {
    ByteBuffer data = ByteBuffer.wrap(content, piece * PIECE + block * BLOCK, BLOCK);
    storage.writeBlock(piece, block * BLOCK, data).join();
  }

  private static void writeGarbage(ArrayStorage storage, int piece, int block) {
    byte[] garbage = new byte[BLOCK];
    Arrays.fill(garbage, (byte) 0x5a);
    storage.writeBlock(piece, block * BLOCK, ByteBuffer.wrap(garbage)).join();
  }

  @Test
  void aPieceWrittenInOrderIsVerifiedWithoutReadingItBack() {
    ArrayStorage storage = new ArrayStorage(meta, AbstractStorage.DEFAULT_HELD_BUDGET);
    for (int b = 0; b < 4; b++) {
      write(storage, 1, b);
    }
    assertThat(storage.verifyPiece(1).join()).isTrue();
    assertThat(storage.bytesRead).hasValue(0);
  }

  @Test
  void aBlockThatCameEarlyIsHeldAndHashedWhenItsTurnComes() {
    ArrayStorage storage = new ArrayStorage(meta, AbstractStorage.DEFAULT_HELD_BUDGET);
    write(storage, 0, 0);
    write(storage, 0, 2);
    write(storage, 0, 1);
    write(storage, 0, 3);
    assertThat(storage.verifyPiece(0).join()).isTrue();
    assertThat(storage.bytesRead).hasValue(0);
  }

  @Test
  void withoutBudgetBlocksAfterAnOutOfOrderOneAreReadBack() {
    ArrayStorage storage = new ArrayStorage(meta, 0);
    write(storage, 0, 0);
    write(storage, 0, 2);
    write(storage, 0, 1);
    write(storage, 0, 3);
    assertThat(storage.verifyPiece(0).join()).isTrue();
    // Blocks 0 and 1 were hashed in order; block 2 came early, so 2 and 3 are read back.
    assertThat(storage.bytesRead).hasValue(2L * BLOCK);
  }

  @Test
  void aHashedBlockOverwrittenWithOtherBytesIsCheckedAgainstWhatIsStored() {
    ArrayStorage storage = new ArrayStorage(meta, AbstractStorage.DEFAULT_HELD_BUDGET);
    for (int b = 0; b < 4; b++) {
      write(storage, 0, b);
    }
    writeGarbage(storage, 0, 1);
    assertThat(storage.verifyPiece(0).join()).isFalse();
  }

  @Test
  void aBadBlockRewrittenBeforeVerificationDoesNotFailThePiece() {
    ArrayStorage storage = new ArrayStorage(meta, AbstractStorage.DEFAULT_HELD_BUDGET);
    writeGarbage(storage, 0, 0);
    write(storage, 0, 0);
    for (int b = 1; b < 4; b++) {
      write(storage, 0, b);
    }
    assertThat(storage.verifyPiece(0).join()).isTrue();
  }

  @Test
  void aFailedPieceDownloadedAgainInOrderStartsAFreshHash() {
    ArrayStorage storage = new ArrayStorage(meta, AbstractStorage.DEFAULT_HELD_BUDGET);
    writeGarbage(storage, 1, 0);
    for (int b = 1; b < 4; b++) {
      write(storage, 1, b);
    }
    assertThat(storage.verifyPiece(1).join()).isFalse();
    long readBefore = storage.bytesRead.get();
    for (int b = 0; b < 4; b++) {
      write(storage, 1, b);
    }
    assertThat(storage.verifyPiece(1).join()).isTrue();
    assertThat(storage.bytesRead.get()).isEqualTo(readBefore);
  }
}
