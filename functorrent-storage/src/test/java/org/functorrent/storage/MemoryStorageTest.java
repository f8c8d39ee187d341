package org.functorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MemoryStorageTest {
  @Test
  void writesVerifiesAndServesBlocks() {
    TestTorrent t = TestTorrent.single(51, 16384, "mem", 70_000);
    try (Storage s = Storages.inMemory(t.meta)) {
      assertThat(s.verifyAll(VerifyListener.NONE).join().isEmpty()).isTrue();
      t.writeAll(s, 2);
      assertThat(s.verifyAll(VerifyListener.NONE).join().isComplete()).isTrue();
      assertThat(s.readBlock(4, 100, 200).join().array())
          .isEqualTo(Arrays.copyOfRange(t.content, 4 * 16384 + 100, 4 * 16384 + 300));
      s.writeBlock(2, 0, ByteBuffer.wrap(new byte[] {1})).join();
      assertThat(s.verifyPiece(2).join()).isTrue();
      assertThat(s.stats().bytesWritten()).isEqualTo(70_000);
    }
  }

  @Test
  void aBadPieceFails() {
    TestTorrent t = TestTorrent.single(52, 16384, "mem", 20_000);
    try (Storage s = Storages.inMemory(t.meta)) {
      s.writeBlock(1, 0, ByteBuffer.wrap(new byte[3616])).join();
      assertThat(s.verifyPiece(1).join()).isFalse();
      assertThat(s.stats().piecesFailed()).isEqualTo(1);
    }
  }
}
