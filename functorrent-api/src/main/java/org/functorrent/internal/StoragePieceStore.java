package org.functorrent.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.functorrent.peer.PieceStore;
import org.functorrent.peer.ReceivedBlock;
import org.functorrent.storage.BlockWrite;
import org.functorrent.storage.Storage;

/** The peer module's view of storage: blocks go to and from disk without an extra copy. */
final class StoragePieceStore implements PieceStore {
  private final Storage storage;

  StoragePieceStore(Storage storage) {
    this.storage = storage;
  }

  @Override
  public CompletableFuture<ByteBuf> readBlock(int piece, int offset, int length) {
    return readBlock(piece, offset, length, 0);
  }

  /**
   * Reads into a direct buffer of the allocator the channels use, after {@code headroom} bytes
   * left for the message header: the socket writes header and block as one buffer, without
   * another copy. The buffer is released here if the read fails, and by the caller otherwise.
   */
  @Override
  public CompletableFuture<ByteBuf> readBlock(int piece, int offset, int length, int headroom) {
    int capacity = headroom + length;
    ByteBuf block = ByteBufAllocator.DEFAULT.directBuffer(capacity, capacity);
    CompletableFuture<ByteBuffer> read;
    try {
      read = storage.readBlock(piece, offset, block.nioBuffer(headroom, length));
    } catch (RuntimeException e) {
      block.release();
      throw e;
    }
    return read.handle(
        (filled, error) -> {
          if (error != null) {
            block.release();
            throw error instanceof CompletionException c ? c : new CompletionException(error);
          }
          return block.setIndex(headroom, capacity);
        });
  }

  @Override
  public CompletableFuture<Void> writeBlock(int piece, int offset, ByteBuf data) {
    // The swarm keeps the buffer until this future completes; storage reads it before that.
    return storage.writeBlock(piece, offset, view(data));
  }

  @Override
  public CompletableFuture<Map<Integer, Throwable>> writeBlocks(List<ReceivedBlock> blocks) {
    List<BlockWrite> writes = new ArrayList<>(blocks.size());
    for (ReceivedBlock block : blocks) {
      writes.add(new BlockWrite(block.piece(), block.offset(), view(block.data())));
    }
    return storage.writeBlocks(writes);
  }

  @Override
  public CompletableFuture<Boolean> verifyPiece(int piece) {
    return storage.verifyPiece(piece);
  }

  /** {@code data}'s readable bytes without a copy where they are one buffer. */
  private static ByteBuffer view(ByteBuf data) {
    return data.nioBufferCount() == 1 ? data.nioBuffer() : ByteBuffer.wrap(copy(data));
  }

  private static byte[] copy(ByteBuf data) {
    byte[] bytes = new byte[data.readableBytes()];
    data.getBytes(data.readerIndex(), bytes);
    return bytes;
  }
}
