package org.functorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.functorrent.interop.NettyLeaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The defaults of {@link PieceStore#readBlock(int, int, int, int)} and {@link
 * PieceStore#writeBlocks}, for stores that keep them.
 */
class PieceStoreTest {
  static {
    NettyLeaks.install();
  }

  private final byte[] source = {1, 2, 3, 4, 5, 6, 7, 8};

  /** Serves slices of {@link #source}, wrapped without a copy, or fails when asked to. */
  private final class ArrayStore implements PieceStore {
    private final boolean failing;

    ArrayStore(boolean failing) {
      this.failing = failing;
    }

    @Override
    public CompletableFuture<ByteBuf> readBlock(int piece, int offset, int length) {
      return failing
          ? CompletableFuture.failedFuture(new IOException("disk gone"))
          : CompletableFuture.completedFuture(Unpooled.wrappedBuffer(source, offset, length));
    }

    @Override
    public CompletableFuture<Void> writeBlock(int piece, int offset, ByteBuf data) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Boolean> verifyPiece(int piece) {
      throw new UnsupportedOperationException();
    }
  }

  @AfterEach
  void noLeaks() {
    NettyLeaks.assertNoLeaks();
  }

  @Test
  void theDefaultPutsRoomOfItsOwnBeforeTheBlock() {
    ByteBuf framed = new ArrayStore(false).readBlock(0, 2, 4, 13).join();
    try {
      assertThat(framed.readerIndex()).isEqualTo(13);
      assertThat(ByteBufUtil.getBytes(framed)).containsExactly(3, 4, 5, 6);
      // The caller writes its header in the room: the store's own bytes are not touched.
      for (int i = 0; i < 13; i++) {
        framed.setByte(i, 0x7f);
      }
      assertThat(source).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
      framed.readerIndex(0);
      assertThat(framed.readableBytes()).isEqualTo(13 + 4);
      assertThat(framed.getByte(12)).isEqualTo((byte) 0x7f);
      assertThat(framed.getByte(13)).isEqualTo((byte) 3);
    } finally {
      framed.release();
    }
  }

  @Test
  void aFailedReadStaysFailed() {
    assertThatThrownBy(() -> new ArrayStore(true).readBlock(0, 0, 4, 13).join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(IOException.class);
  }

  /** Records the blocks written; fails piece 1 when it is written, and rejects piece 2 at once. */
  private static final class RecordingStore implements PieceStore {
    final List<String> written = new ArrayList<>();

    @Override
    public CompletableFuture<ByteBuf> readBlock(int piece, int offset, int length) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Void> writeBlock(int piece, int offset, ByteBuf data) {
      if (piece == 2) {
        throw new IllegalArgumentException("no piece 2");
      }
      if (piece == 1) {
        return CompletableFuture.supplyAsync(
            () -> {
              throw new UncheckedIOException(new IOException("disk gone"));
            });
      }
      written.add(piece + "+" + offset + ":" + data.readableBytes());
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Boolean> verifyPiece(int piece) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void theDefaultBurstWritesEachBlockAndReportsFailuresByIndex() {
    RecordingStore store = new RecordingStore();
    ByteBuf data = Unpooled.wrappedBuffer(source);
    List<ReceivedBlock> blocks =
        List.of(
            new ReceivedBlock(0, 0, data.slice(0, 4)),
            new ReceivedBlock(1, 0, data.slice(0, 8)),
            new ReceivedBlock(0, 4, data.slice(4, 4)),
            new ReceivedBlock(2, 0, data.slice(0, 2)));

    Map<Integer, Throwable> failures = store.writeBlocks(blocks).join();
    data.release();

    assertThat(store.written).containsExactly("0+0:4", "0+4:4");
    assertThat(failures.keySet()).containsExactlyInAnyOrder(1, 3);
    assertThat(failures.get(1))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("disk gone");
    assertThat(failures.get(3)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theDefaultBurstOfNothingIsDoneAtOnce() {
    assertThat(new RecordingStore().writeBlocks(List.of()).join()).isEmpty();
  }
}
